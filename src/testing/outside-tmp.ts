import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fresh world-writable directory whose real path lies outside `/tmp` (under `/var/tmp`).
 * Hiding tests put repositories, Baton homes and secrets here: every sandbox has a private
 * `/tmp`, so a secret under `/tmp` would be invisible even if hiding were broken.
 */
export function outsideTmpDir(prefix: string): string {
  const dir = mkdtempSync(join('/var/tmp', prefix));
  chmodSync(dir, 0o777);
  return dir;
}
