import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Environment } from '../core/environment.js';
import type { BlobStore } from '../store/blob-store.js';
import { GitOutputTooLargeError, PatchTooLargeError } from './errors.js';
import { DIFF_FORMAT, excludingPathspec, type HostGitLocation, hostGit, splitNul } from './git.js';
import { resolveLexically } from './safe-path.js';
import { secretMatcher } from './secret-patterns.js';

/** A run's result patch: its blob (null when nothing changed) and its size. */
export interface PatchSummary {
  patchHash: string | null;
  files: number;
  insertions: number;
  deletions: number;
}

/** A captured patch: the summary recorded in `workspace.patch`, and the patch bytes themselves. */
export interface CapturedPatch extends PatchSummary {
  patch: Buffer;
}

/** A scratch checkout as {@link capturePatch} reads it: host-private git state beside the work tree. */
export interface PatchSource {
  /** The work tree the run changed. */
  checkout: string;
  /** A git directory no sandboxed command could write. */
  gitDir: string;
  /** A private index, holding the starting state (and, after a capture, the run's result). */
  indexFile: string;
  /** The tree of the starting state: base commit + captured dirty diff + captured untracked files. */
  startTree: string;
  /** A private directory where the starting state's `.gitignore` files are laid out. */
  ignoreRulesDir: string;
  /** The environment Baton runs in (git is found on its PATH). */
  hostEnv: Environment;
}

/** Options of {@link capturePatch}. */
export interface CapturePatchOptions {
  /** Extra secret patterns on top of the defaults. */
  secretPatterns?: readonly string[];
  /** Largest patch (bytes); a larger one is a {@link PatchTooLargeError} naming the largest files. */
  maxPatchBytes: number;
  signal?: AbortSignal;
}

const LARGEST_FILES = 5;

/**
 * Captures what a run changed in a scratch checkout, relative to the workspace it started from,
 * as one binary patch: tracked edits and deletions, and new files except those the starting
 * state's ignore rules ignore (a run cannot un-ignore `node_modules` by editing `.gitignore`),
 * nested repositories, and files matching secret patterns. Every git command runs through
 * {@link hostGit}: nothing in the checkout can make the host execute a program.
 */
export async function capturePatch(
  source: PatchSource,
  store: Pick<BlobStore, 'putBlob'>,
  options: CapturePatchOptions,
): Promise<CapturedPatch> {
  const { signal } = options;
  const location: HostGitLocation = {
    gitDir: source.gitDir,
    workTree: source.checkout,
    indexFile: source.indexFile,
    hostEnv: source.hostEnv,
  };
  const isSecret = secretMatcher(options.secretPatterns);
  await hostGit(['add', '--update'], location, { signal });
  const untracked = splitNul((await hostGit(['ls-files', '--others', '-z'], location, { signal })).stdout)
    // A trailing slash marks a nested repository: it is not part of the patch.
    .filter((path) => !path.endsWith('/') && !isSecret(path));
  const ignored = await ignoredByStartingState(source, untracked, signal);
  const added = untracked.filter((path) => !ignored.has(path));
  if (added.length > 0) {
    await hostGit(['add', '--force', '--pathspec-from-file=-', '--pathspec-file-nul'], location, {
      signal,
      input: added.join('\0'),
      env: { GIT_LITERAL_PATHSPECS: '1' },
    });
  }
  const changed = splitNul(
    (
      await hostGit(['diff', '--cached', '--name-only', '--no-renames', '-z', source.startTree], location, {
        signal,
      })
    ).stdout,
  );
  const kept = changed.filter((path) => !isSecret(path));
  if (kept.length === 0)
    return { patchHash: null, files: 0, insertions: 0, deletions: 0, patch: Buffer.alloc(0) };
  const pathspec = excludingPathspec(changed.filter(isSecret));
  let patch: Buffer;
  try {
    patch = (
      await hostGit(['diff', '--cached', ...DIFF_FORMAT, source.startTree, '--', ...pathspec], location, {
        signal,
        maxStdoutBytes: options.maxPatchBytes,
      })
    ).stdout;
  } catch (error) {
    if (!(error instanceof GitOutputTooLargeError)) throw error;
    throw new PatchTooLargeError(
      options.maxPatchBytes,
      await largestFiles(location, source.startTree, pathspec, signal),
    );
  }
  const numstat = await hostGit(
    ['diff', '--cached', '--numstat', '--no-renames', source.startTree, '--', ...pathspec],
    location,
    { signal },
  );
  let insertions = 0;
  let deletions = 0;
  for (const line of numstat.stdout.toString('utf8').split('\n')) {
    // Binary files report `-` for both counts.
    const [plus, minus] = line.split('\t');
    insertions += Number(plus) || 0;
    deletions += Number(minus) || 0;
  }
  return { patchHash: await store.putBlob(patch), files: kept.length, insertions, deletions, patch };
}

/**
 * The paths that the starting state's `.gitignore` files ignore, decided by `git check-ignore`
 * over a private copy of those files (the checkout's own may have been rewritten by the run).
 */
async function ignoredByStartingState(
  source: PatchSource,
  paths: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  await layOutIgnoreRules(source, signal);
  const result = await hostGit(
    ['check-ignore', '--stdin', '-z', '--no-index'],
    { gitDir: source.gitDir, workTree: source.ignoreRulesDir, hostEnv: source.hostEnv },
    { signal, input: paths.join('\0'), okExitCodes: [1] },
  );
  return new Set(splitNul(result.stdout));
}

async function layOutIgnoreRules(source: PatchSource, signal: AbortSignal | undefined): Promise<void> {
  await mkdir(source.ignoreRulesDir, { recursive: true });
  const location = { gitDir: source.gitDir, workTree: source.ignoreRulesDir, hostEnv: source.hostEnv };
  const listing = splitNul(
    (await hostGit(['ls-tree', '-r', '-z', source.startTree], location, { signal })).stdout,
  );
  for (const entry of listing) {
    const [meta = '', path = ''] = entry.split('\t');
    const [, type, object] = meta.split(' ');
    if (type !== 'blob' || object === undefined || !(path === '.gitignore' || path.endsWith('/.gitignore')))
      continue;
    const target = resolveLexically(source.ignoreRulesDir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, (await hostGit(['cat-file', 'blob', object], location, { signal })).stdout);
  }
}

/** The largest files of the run's change (new content size), largest first. */
async function largestFiles(
  location: HostGitLocation,
  startTree: string,
  pathspec: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ path: string; bytes: number }[]> {
  const raw = splitNul(
    (
      await hostGit(
        ['diff', '--cached', '--raw', '-z', '--no-renames', '--no-abbrev', startTree, '--', ...pathspec],
        location,
        { signal },
      )
    ).stdout,
  );
  const objects: { path: string; object: string }[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const object = raw[index]?.split(' ')[3];
    const path = raw[index + 1];
    if (object && path !== undefined && !/^0+$/.test(object)) objects.push({ path, object });
  }
  if (objects.length === 0) return [];
  const sizes = (
    await hostGit(['cat-file', '--batch-check=%(objectsize)'], location, {
      signal,
      input: `${objects.map((entry) => entry.object).join('\n')}\n`,
    })
  ).stdout
    .toString('utf8')
    .trim()
    .split('\n');
  return objects
    .map((entry, index) => ({ path: entry.path, bytes: Number(sizes[index]) || 0 }))
    .sort((left, right) => right.bytes - left.bytes)
    .slice(0, LARGEST_FILES);
}
