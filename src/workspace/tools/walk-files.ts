import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Regular files under `dir`, relative to `root`, sorted, skipping `.git`: symlinks are not
 * followed and FIFOs, sockets and devices are not listed. Stops at `limit` files (`truncated`).
 */
export async function walkFiles(
  root: string,
  dir: string,
  limit: number,
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.shift() ?? dir;
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      // A directory removed or made unreadable mid-walk has nothing to list.
      continue;
    }
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        if (files.length >= limit) return { files: files.sort(), truncated: true };
        files.push(relative(root, full));
      }
    }
  }
  return { files: files.sort(), truncated: false };
}
