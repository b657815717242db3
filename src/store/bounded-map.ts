/**
 * Sets `key` as the newest entry of `cache`, forgetting the oldest entries beyond `max`: the
 * stores' caches of heads and cancel flags stay bounded however many sessions a process sees.
 */
export function rememberBounded<V>(cache: Map<string, V>, key: string, value: V, max: number): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > max) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}
