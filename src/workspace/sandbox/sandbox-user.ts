import type { Dirent } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The uid and gid of `nobody` on Debian, Ubuntu, Fedora and Arch alike. */
const NOBODY = { uid: 65534, gid: 65534 } as const;

/**
 * The unprivileged user a sandboxed command runs as: `nobody` when Baton runs as root (so that
 * file permissions protect root's files and RLIMIT_NPROC applies), null otherwise (the command
 * then runs as the invoking user, who has no privilege to drop).
 */
export function sandboxUser(): { uid: number; gid: number } | null {
  return process.getuid?.() === 0 ? { ...NOBODY } : null;
}

/**
 * Gives the sandbox user every file of the workspace, so that the command can change what Baton
 * restored or a workspace tool wrote. Only entries owned by someone else are touched; symlinks
 * are changed themselves, never followed.
 */
export async function handOverTree(root: string, user: { uid: number; gid: number }): Promise<void> {
  const pending = [root];
  const rootStats = await lstat(root);
  if (rootStats.uid !== user.uid || rootStats.gid !== user.gid) await lchown(root, user.uid, user.gid);
  while (pending.length > 0) {
    const dir = pending.pop() ?? root;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      // Removed meanwhile: nothing left to hand over.
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      // Removed meanwhile: nothing left to hand over.
      const stats = await lstat(path).catch(() => undefined);
      if (!stats) continue;
      if (stats.uid !== user.uid || stats.gid !== user.gid) await lchown(path, user.uid, user.gid);
      if (stats.isDirectory()) pending.push(path);
    }
  }
}
