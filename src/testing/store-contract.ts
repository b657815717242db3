import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../store/store.js';
import { eventContract } from './store-contract/events.js';
import { leaseContract } from './store-contract/leases.js';
import { recordContract } from './store-contract/records.js';
import { servingContract } from './store-contract/serving.js';
import { startContract } from './store-contract/starts.js';
import { taskContract } from './store-contract/tasks.js';

/** What a store factory hands the contract suite: a fresh, empty store and how to dispose of it. */
export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

/**
 * Registers the store contract suite (vitest `describe`/`it` blocks) for one implementation.
 * Every store — memory, SQLite, Postgres — runs it; `factory` is called before each test and
 * must return an empty store.
 */
export function storeContract(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let current: StoreUnderTest | undefined;
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });
    const store = (): Store => {
      if (!current) throw new Error('the store factory has not run');
      return current.store;
    };
    recordContract(store);
    eventContract(store);
    leaseContract(store);
    taskContract(store);
    startContract(store);
    servingContract(store);
  });
}
