// Summary statistics the benches share: per-step timings are reported as percentiles, not only
// as a mean, because the tail (a WAL checkpoint, a GC pause, a slow fsync) is what users feel.

/** The value at fraction `p` (0–100) of `sorted` (ascending), nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/** The median of `values` (any order). */
export function median(values: readonly number[]): number {
  return percentile(ascending(values), 50);
}

/** The arithmetic mean of `values` (NaN when empty). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A sorted copy. */
export function ascending(values: readonly number[]): number[] {
  return [...values].sort((left, right) => left - right);
}
