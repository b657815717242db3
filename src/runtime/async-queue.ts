/**
 * An unbounded push/pull queue: producers `push` from callbacks, one consumer awaits `next`.
 * `next` resolves `undefined` once the signal aborts, so a waiting reader can always leave.
 */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  #waiter: ((item: T | undefined) => void) | undefined;

  push(item: T): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(item);
    } else {
      this.#items.push(item);
    }
  }

  /** The next item, or undefined when `signal` aborted first. */
  next(signal?: AbortSignal): Promise<T | undefined> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = (item) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(item);
      };
    });
  }
}
