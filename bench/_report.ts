// The figures a bench piece hands to `npm run bench`'s closing summary: one JSON line per
// figure, appended to the file `BATON_BENCH_REPORT` names (set by bench/index.ts). A piece run
// alone reports nowhere.
import { appendFileSync, readFileSync } from 'node:fs';

const REPORT_FILE = process.env.BATON_BENCH_REPORT;

/** Records `value` under `key` (e.g. `loop.baton-memory.msPerStep`) for the summary. */
export function report(key: string, value: number | undefined): void {
  if (REPORT_FILE === undefined || value === undefined || !Number.isFinite(value)) return;
  appendFileSync(REPORT_FILE, `${JSON.stringify({ key, value })}\n`);
}

/** Every figure in `file`, the last one reported under a key winning. */
export function readReport(file: string): Map<string, number> {
  const figures = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return figures;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const { key, value } = JSON.parse(line) as { key: string; value: number };
    figures.set(key, value);
  }
  return figures;
}
