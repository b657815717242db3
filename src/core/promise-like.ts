/**
 * Whether `value` is a thenable. The loop asks before awaiting what user code returned (a tool's
 * `execute`, a schema's `validate`): most of it is synchronous, and an await of a plain value
 * still costs a promise and a turn of the microtask queue, on every tool call of every step.
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
