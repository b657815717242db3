/**
 * A push/pull queue that holds at most `capacity` items: producers `push` from callbacks, one
 * consumer awaits `next`. A push beyond the capacity is dropped and marks the queue
 * `overflowed` for good (the consumer fell behind and must catch up another way); `next`
 * resolves `undefined` once the signal aborts, so a waiting reader can always leave. The signal
 * is watched by one listener for the queue's life, not one per `next`: a stream's reader waits
 * once per event, and adding and removing a listener each time was a tenth of fan-out's CPU.
 */
export class BoundedQueue<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  #waiter: ((item: T | undefined) => void) | undefined;
  /** The waiting consumer's synchronous taker (see `next`). */
  #take: ((item: T) => boolean) | undefined;
  #overflowed = false;
  // The signal's state, kept here: reading `signal.aborted` (a checked getter) once per item
  // per reader showed in fan-out profiles.
  #aborted: boolean;

  constructor(capacity: number, signal?: AbortSignal) {
    this.#capacity = capacity;
    this.#aborted = signal?.aborted ?? false;
    signal?.addEventListener(
      'abort',
      () => {
        this.#aborted = true;
        const waiter = this.#waiter;
        this.#waiter = undefined;
        this.#take = undefined;
        waiter?.(undefined);
      },
      { once: true },
    );
  }

  /** True once the queue's signal aborted. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** True once an item was dropped for lack of room. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  push(item: T): void {
    const waiter = this.#waiter;
    if (waiter) {
      if (this.#take?.(item)) return;
      this.#waiter = undefined;
      this.#take = undefined;
      waiter(item);
    } else if (this.#items.length >= this.#capacity || this.#overflowed) {
      this.#overflowed = true;
      this.#items.length = 0;
    } else {
      this.#items.push(item);
    }
  }

  /** Drops items from the front while `predicate` holds for them. */
  dropWhile(predicate: (item: T) => boolean): void {
    let count = 0;
    while (count < this.#items.length && predicate(this.#items[count] as T)) count += 1;
    if (count > 0) this.#items.splice(0, count);
  }

  /**
   * The next item, or undefined once the queue's signal aborted (and nothing is buffered). While
   * it waits, each pushed item is first offered to `take`: one it takes (returns true for) is
   * consumed there and then, synchronously, and the wait goes on; the first it refuses resolves
   * the wait. (Nothing is buffered while a consumer waits, so order is kept.)
   */
  next(take?: (item: T) => boolean): Promise<T | undefined> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (this.#aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiter = resolve;
      this.#take = take;
    });
  }
}
