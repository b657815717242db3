import { afterEach, beforeEach, describe } from 'vitest';
import type { BlobStore } from '../store/blob-store.js';
import type { MarkStore } from '../store/mark-store.js';
import type { RunStore } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { TaskStore } from '../store/task-store.js';
import type { WorkerRegistry } from '../store/worker-registry.js';
import { blobContract } from './store-contract/blobs.js';
import { eventContract } from './store-contract/events.js';
import { leaseContract } from './store-contract/leases.js';
import { markContract } from './store-contract/marks.js';
import { recordContract } from './store-contract/records.js';
import { servingContract } from './store-contract/serving.js';
import { startContract } from './store-contract/starts.js';
import { taskContract } from './store-contract/tasks.js';
import { workerContract } from './store-contract/workers.js';

/** What a port's factory hands its contract suite: a fresh, empty implementation and how to dispose of it. */
export interface PortUnderTest<Port> {
  store: Port;
  cleanup(): Promise<void>;
}

/** What a whole backend's factory hands `storeContract`. */
export type StoreUnderTest = PortUnderTest<Store>;

/** A factory of fresh, empty implementations of one port, called before each test. */
export type PortFactory<Port> = () => Promise<PortUnderTest<Port>>;

/** Registers `suites` against a fresh implementation per test (the shared harness of every contract). */
function portSuite<Port>(
  title: string,
  factory: PortFactory<Port>,
  suites: readonly ((store: () => Port) => void)[],
): void {
  describe(title, () => {
    let current: PortUnderTest<Port> | undefined;
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });
    const store = (): Port => {
      if (!current) throw new Error('the store factory has not run');
      return current.store;
    };
    for (const suite of suites) suite(store);
  });
}

const RUN_STORE_SUITES = [recordContract, eventContract, leaseContract, startContract, servingContract];

/**
 * Registers the `RunStore` contract suite (vitest `describe`/`it` blocks): sessions, runs,
 * event logs with their hash chain, leases, starts and claim filters. `factory` is called
 * before each test and must return an empty store.
 */
export function runStoreContract(name: string, factory: PortFactory<RunStore>): void {
  portSuite(`${name} RunStore contract`, factory, RUN_STORE_SUITES);
}

/** Registers the `BlobStore` contract suite: content addressing, deduplication, exact bytes. */
export function blobStoreContract(name: string, factory: PortFactory<BlobStore>): void {
  portSuite(`${name} BlobStore contract`, factory, [blobContract]);
}

/** Registers the `TaskStore` contract suite: idempotent creation, lookups, pages, patches, retention. */
export function taskStoreContract(name: string, factory: PortFactory<TaskStore>): void {
  portSuite(`${name} TaskStore contract`, factory, [taskContract]);
}

/** Registers the `WorkerRegistry` contract suite: announcements, heartbeats, expiry, removal. */
export function workerRegistryContract(name: string, factory: PortFactory<WorkerRegistry>): void {
  portSuite(`${name} WorkerRegistry contract`, factory, [workerContract]);
}

/** Registers the `MarkStore` contract suite: marks set once, scoped, listed and removed. */
export function markStoreContract(name: string, factory: PortFactory<MarkStore>): void {
  portSuite(`${name} MarkStore contract`, factory, [markContract]);
}

/**
 * Registers the contract suite of a whole backend: every port's suite (`runStoreContract`,
 * `blobStoreContract`, `taskStoreContract`, `workerRegistryContract`, `markStoreContract`) against
 * one factory.
 * Every store — memory, SQLite, Postgres — runs it; `factory` is called before each test and
 * must return an empty store.
 */
export function storeContract(name: string, factory: () => Promise<StoreUnderTest>): void {
  portSuite(`${name} store contract`, factory, [
    ...RUN_STORE_SUITES,
    blobContract,
    taskContract,
    workerContract,
    markContract,
  ]);
}
