import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../core/environment.js';
import { EnvironmentError } from '../core/errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { hostGit } from './git.js';
import type { WorkspaceManifest } from './manifest.js';
import { type CapturedPatch, type CapturePatchOptions, capturePatch, type PatchSource } from './patch.js';
import { restoreWorkspace } from './restore.js';

/**
 * A restored, throw-away copy of a captured workspace that one run (or one coding variant)
 * works in. Its git directory is kept apart from the work tree, where no sandboxed command and
 * no workspace tool can write it; the sandbox shows it read-only as the checkout's `.git`.
 */
export interface ScratchWorkspace extends PatchSource {
  /** The directory holding the checkout and Baton's private state (mode 0700). */
  dir: string;
  /** The run's change relative to its starting state, as one patch (see {@link capturePatch}). */
  capturePatch(store: Pick<BlobStore, 'putBlob'>, options: CapturePatchOptions): Promise<CapturedPatch>;
  remove(): Promise<void>;
}

/** Options of {@link openScratchWorkspace}. */
export interface OpenScratchOptions {
  /** Directory the scratch directory is made in (default: the system temp dir). */
  parent?: string;
  /** Name prefix of the scratch directory (a random suffix follows). */
  prefix?: string;
  signal?: AbortSignal;
  /** The environment Baton runs in, which git starts from (the caller's, passed down). */
  hostEnv: Environment;
}

const START_TREE_FILE = 'start-tree';

/**
 * Restores `manifest` into a fresh directory from `mkdtemp` (mode 0700, unpredictable name),
 * moves its git directory out of the work tree, and records the starting state's tree.
 */
export async function openScratchWorkspace(
  manifest: WorkspaceManifest,
  store: BlobStore,
  options: OpenScratchOptions,
): Promise<ScratchWorkspace> {
  const { hostEnv } = options;
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), options.prefix ?? 'baton-scratch-'));
  const scratch = scratchAt(dir, '', hostEnv);
  try {
    await restoreWorkspace(manifest, scratch.checkout, store, {
      hostEnv,
      ...(options.signal && { signal: options.signal }),
    });
    await rename(join(scratch.checkout, '.git'), scratch.gitDir);
    // The mount point of the read-only `.git` inside the sandbox; the host never reads it.
    await mkdir(join(scratch.checkout, '.git'));
    await copyFile(join(scratch.gitDir, 'index'), scratch.indexFile);
    const location = {
      gitDir: scratch.gitDir,
      workTree: scratch.checkout,
      indexFile: scratch.indexFile,
      hostEnv,
    };
    const signal = options.signal;
    await hostGit(['add', '--all'], location, { signal });
    const startTree = (await hostGit(['write-tree'], location, { signal })).stdout.toString('utf8').trim();
    // Written last: a directory with this file is complete and may be reopened by a resumed run.
    await writeFile(join(dir, START_TREE_FILE), startTree);
    return scratchAt(dir, startTree, hostEnv);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}

/**
 * Finds the complete scratch workspace an earlier attempt of the same run left in `parent`
 * (named `prefix` + random suffix), so that a resumed run continues on the files it edited.
 */
export async function reopenScratchWorkspace(
  parent: string,
  prefix: string,
  hostEnv: Environment,
): Promise<ScratchWorkspace | undefined> {
  // No parent yet: no earlier attempt left anything. A directory without its start tree was
  // left half-made, and is removed.
  const names = (await readdir(parent).catch(() => [] as string[])).filter((name) => name.startsWith(prefix));
  for (const name of names) {
    const startTree = await readFile(join(parent, name, START_TREE_FILE), 'utf8').catch(() => undefined);
    if (startTree !== undefined) return scratchAt(join(parent, name), startTree.trim(), hostEnv);
    await rm(join(parent, name), { recursive: true, force: true });
  }
  return undefined;
}

/**
 * A directory only this user can use, for scratch workspaces that must be found again by name
 * (`<tmp>/baton-<uid>`): created 0700, and refused unless it is a real directory owned by this
 * user that nobody else can enter, so another local user cannot plant or read checkouts there.
 */
export async function privateScratchParent(base: string = tmpdir()): Promise<string> {
  const uid = process.getuid?.() ?? 0;
  const dir = join(base, `baton-${uid}`);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stats = await lstat(dir);
  if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o077) !== 0) {
    throw new EnvironmentError(
      'scratch_dir_unsafe',
      `${dir} is not a private directory of this user (mode 0700, owned by uid ${uid}); remove it and run again`,
    );
  }
  return dir;
}

function scratchAt(dir: string, startTree: string, hostEnv: Environment): ScratchWorkspace {
  const source: PatchSource = {
    hostEnv,
    checkout: join(dir, 'checkout'),
    gitDir: join(dir, 'git'),
    indexFile: join(dir, 'index'),
    startTree,
    ignoreRulesDir: join(dir, 'ignore-rules'),
  };
  return {
    ...source,
    dir,
    capturePatch: (store, options) => capturePatch(source, store, options),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
