import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PathEscapeError } from './errors.js';

/** Whether `candidate` is `root` or lies under it, lexically (both absolute and already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a relative path under `root` lexically: absolute paths and `..` that climb out of
 * the root are a {@link PathEscapeError}. Does not look at the file system.
 */
export function resolveLexically(root: string, path: string): string {
  if (path.includes('\0') || isAbsolute(path)) throw new PathEscapeError(path);
  const target = resolve(root, path);
  if (!isInside(resolve(root), target)) throw new PathEscapeError(path);
  return target;
}

/**
 * Resolves a relative path under `root` and follows symlinks: the real path of the target, or of
 * its nearest existing ancestor when it does not exist yet, must stay inside the real root.
 */
export async function resolveInside(root: string, path: string): Promise<string> {
  const target = resolveLexically(root, path);
  if (!isInside(await realpath(root), await nearestRealPath(target))) throw new PathEscapeError(path);
  return target;
}

/**
 * The real path (symlinks resolved) of an absolute path, or of its nearest existing ancestor
 * when it does not exist: where it is, or would be once created.
 */
export async function nearestRealPath(path: string): Promise<string> {
  let existing = path;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch {
      // Not there (yet): the nearest existing ancestor decides where the path leads.
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  return realpath(existing);
}
