import { posix } from 'node:path';
import { type GitOptions, git, splitNul } from './git.js';

/** What a patch changes, shown before it is applied. */
export interface PatchOverview {
  files: number;
  insertions: number;
  deletions: number;
  /** The largest files the patch writes (new content size), largest first. */
  largestFiles: { path: string; bytes: number }[];
  /** Symlinks the patch adds or changes, with their targets. */
  symlinks: { path: string; target: string }[];
}

const LARGEST_FILES = 5;
const SYMLINK_MODE = '120000';

/** Compares two trees of one repository (`from` -> `to`) without touching any work tree or index. */
export async function inspectTreeChange(
  from: string,
  to: string,
  options: Pick<GitOptions, 'cwd' | 'signal' | 'env' | 'hostEnv'>,
): Promise<PatchOverview> {
  const raw = splitNul(
    (await git(['diff-tree', '-r', '-z', '--no-renames', '--no-abbrev', from, to], options)).stdout,
  );
  const written: { path: string; object: string; mode: string }[] = [];
  let files = 0;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const [, mode = '', , object = ''] = (raw[index] ?? '').replace(/^:/, '').split(' ');
    const path = raw[index + 1] ?? '';
    files += 1;
    if (!/^0+$/.test(object)) written.push({ path, object, mode });
  }
  const sizes = await objectSizes(
    written.map((entry) => entry.object),
    options,
  );
  const symlinks: PatchOverview['symlinks'] = [];
  for (const entry of written.filter((item) => item.mode === SYMLINK_MODE)) {
    const target = (await git(['cat-file', 'blob', entry.object], options)).stdout.toString('utf8');
    symlinks.push({ path: entry.path, target });
  }
  const numstat = (await git(['diff-tree', '-r', '--numstat', '--no-renames', from, to], options)).stdout;
  let insertions = 0;
  let deletions = 0;
  for (const line of numstat.toString('utf8').split('\n')) {
    const [plus, minus] = line.split('\t');
    insertions += Number(plus) || 0;
    deletions += Number(minus) || 0;
  }
  const largestFiles = written
    .map((entry, index) => ({ path: entry.path, bytes: sizes[index] ?? 0 }))
    .sort((left, right) => right.bytes - left.bytes)
    .slice(0, LARGEST_FILES);
  return { files, insertions, deletions, largestFiles, symlinks };
}

/**
 * True when a symlink at repository path `path` with `target` could lead out of the
 * repository or into a `.git` directory: absolute targets, targets that climb above the root,
 * and targets through any `.git` component.
 */
export function isUnsafeSymlink(path: string, target: string): boolean {
  if (target === '' || posix.isAbsolute(target) || target.includes('\0')) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) return true;
  return resolved.split('/').some((part) => part.toLowerCase() === '.git');
}

async function objectSizes(
  objects: readonly string[],
  options: Pick<GitOptions, 'cwd' | 'signal' | 'env' | 'hostEnv'>,
) {
  if (objects.length === 0) return [];
  const output = await git(['cat-file', '--batch-check=%(objectsize)'], {
    ...options,
    input: `${objects.join('\n')}\n`,
  });
  return output.stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => Number(line) || 0);
}
