import { AsyncLocalStorage } from 'node:async_hooks';

/** The values of every slot, by index, for the work in progress. Copied on write, never changed. */
const storage = new AsyncLocalStorage<readonly unknown[]>();
let slotsMade = 0;

/**
 * One value the work in progress carries into everything it awaits: its log fields, its trace
 * context, its run attempt. Every slot lives in one `AsyncLocalStorage`: on Node 20 each enabled
 * storage is copied onto every promise the process makes (a promise hook per storage), and a
 * step makes about 115 promises, so three storages cost three times one.
 */
export class ContextSlot<T> {
  readonly #index = slotsMade++;

  /** The slot's value in the work in progress, if it was given one. */
  get(): T | undefined {
    return storage.getStore()?.[this.#index] as T | undefined;
  }

  /** Runs `work` with the slot set to `value` (the other slots keep theirs). */
  run<R>(value: T, work: () => R): R {
    const values = [...(storage.getStore() ?? [])];
    values[this.#index] = value;
    return storage.run(values, work);
  }
}
