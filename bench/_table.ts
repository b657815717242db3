// Printing for the benches: aligned tables, ratios against a reference, and the machine's load,
// which a reader needs to judge numbers taken on a shared 2-core box.
import { cpus, loadavg } from 'node:os';

/** Prints `rows` under `header`: the first column left-aligned, the others right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  console.log(format(header));
  for (const row of rows) console.log(format(row));
}

/** `value` against `reference` in words: "2.8× slower", "1.5× faster", "same". */
export function versus(value: number, reference: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(reference) || value <= 0 || reference <= 0) return '–';
  const ratio = value / reference;
  if (Math.abs(ratio - 1) < 0.05) return 'same';
  return ratio > 1 ? `${times(ratio)} slower` : `${times(1 / ratio)} faster`;
}

/** A ratio as "2.8×" (two significant digits below 10, whole numbers above). */
export function times(ratio: number): string {
  return `${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×`;
}

/** Milliseconds with three significant digits: "0.305", "4.76", "79.1", "1203". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** "load average 1.14 1.31 1.18 (2 cores)": the 1, 5 and 15 minute averages now. */
export function loadAverage(): string {
  const averages = loadavg().map((value) => value.toFixed(2));
  return `load average ${averages.join(' ')} (${cpus().length} cores)`;
}

/** A warning when the machine is busier than its cores: the figures are then upper bounds. */
export function busyWarning(): string | undefined {
  const [oneMinute = 0] = loadavg();
  return oneMinute > cpus().length
    ? `warning: the 1-minute load (${oneMinute.toFixed(1)}) exceeds the ${cpus().length} cores; other work shares this machine, read the figures as upper bounds`
    : undefined;
}
