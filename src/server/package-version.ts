import { readFileSync } from 'node:fs';

/**
 * The package's own version, read from package.json next to `src/` or `dist/` (both sit one
 * level below the package root). Read once, at first use.
 */
export function packageVersion(): string {
  cachedVersion ??= readVersion();
  return cachedVersion;
}

let cachedVersion: string | undefined;

function readVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  const version = (parsed as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}
