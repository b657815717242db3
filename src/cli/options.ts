/** Writes one JSON value per line; stdout carries nothing else in `--json` modes. */
export function writeJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
