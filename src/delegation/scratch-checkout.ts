import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../workspace/capture.js';
import { git, gitText } from '../workspace/git.js';
import type { WorkspaceManifest } from '../workspace/manifest.js';
import { restoreWorkspace } from '../workspace/restore.js';

/** A restored, throw-away checkout a coding variant works in. */
export interface ScratchCheckout {
  dir: string;
  /** The agent's changes against the restored state, as a binary `git diff` (new files included). */
  patch(signal?: AbortSignal): Promise<string>;
  remove(): Promise<void>;
}

/** Stages everything and returns the tree it would commit, without committing. */
async function stagedTree(dir: string, signal: AbortSignal | undefined): Promise<string> {
  await git(['add', '-A'], { cwd: dir, signal });
  return gitText(['write-tree'], { cwd: dir, signal });
}

/**
 * Restores a captured workspace into a fresh temporary directory and remembers its tree, so the
 * patch holds only what the agent changed — not the dirty state the capture carried.
 */
export async function openScratchCheckout(
  manifest: WorkspaceManifest,
  store: BlobStore,
  signal?: AbortSignal,
): Promise<ScratchCheckout> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-coder-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await restoreWorkspace(manifest, dir, store, signal ? { signal } : {});
    const baseTree = await stagedTree(dir, signal);
    return {
      dir,
      remove,
      async patch(patchSignal) {
        await stagedTree(dir, patchSignal);
        const diff = await git(['diff', '--binary', '--cached', baseTree], { cwd: dir, signal: patchSignal });
        return diff.stdout.toString('utf8');
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
