import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` with `mode` for every folder it creates; returns the first one it created, or
 * `undefined` when `dir` existed. Node's own `mkdir(dir, { recursive: true })` never returns for
 * a path under `/proc` (`/proc/nope/x`: it retries the ENOENT forever); this one creates the
 * missing folders one by one, top down, and fails with the first folder that cannot be made.
 */
export function makeDirectories(dir: string, mode: number): string | undefined {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode });
    } catch (error) {
      // Another process made it in the meantime: that is what was asked for.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) throw error;
    }
  }
  return missing[0];
}
