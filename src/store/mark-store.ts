/**
 * The port of small durable facts named by a scope and a key: a webhook delivery already seen
 * (`channel.delivery:<channel>`), a schedule paused (`schedule.paused`). Every implementation
 * passes `markStoreContract`; on one database every process sees the same marks, which is what
 * makes "acknowledged once" and "paused" hold across servers and restarts.
 */
export interface MarkStore {
  /** Sets the mark; true when this call set it, false when it was already there. Atomic. */
  putMark(scope: string, key: string): Promise<boolean>;
  /** Removes the mark (nothing when absent). */
  deleteMark(scope: string, key: string): Promise<void>;
  /** The keys marked in `scope`, sorted. */
  listMarks(scope: string): Promise<string[]>;
}
