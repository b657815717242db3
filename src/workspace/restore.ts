import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { processEnvironment } from '../config/process-environment.js';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import type { BlobStore } from '../store/blob-store.js';
import { MissingBlobError } from './errors.js';
import { git } from './git.js';
import type { WorkspaceManifest } from './manifest.js';
import { resolveLexically } from './safe-path.js';

/**
 * Recreates a captured workspace in `intoDir` (absent or empty): clones the bundle, checks out
 * the base ref on the captured branch, applies the diff and writes the untracked files. git
 * runs in `hostEnv` (default: the process environment).
 */
export async function restoreWorkspace(
  manifest: WorkspaceManifest,
  intoDir: string,
  store: BlobStore,
  options: { signal?: AbortSignal; hostEnv?: Environment } = {},
): Promise<void> {
  const { signal, hostEnv = processEnvironment() } = options;
  await ensureEmptyDirectory(intoDir);
  const scratch = await mkdtemp(join(tmpdir(), 'baton-restore-'));
  try {
    const bundleFile = join(scratch, 'head.bundle');
    await writeFile(bundleFile, await loadBlob(store, manifest.bundleHash, 'bundle'));
    await git(['clone', '--quiet', '--no-checkout', bundleFile, intoDir], { cwd: scratch, signal, hostEnv });
    await git(['remote', 'remove', 'origin'], { cwd: intoDir, signal, hostEnv });
    await git(['checkout', '--quiet', '-B', manifest.branch, manifest.baseRef], {
      cwd: intoDir,
      signal,
      hostEnv,
    });
    if (manifest.diffHash !== undefined) {
      const diffFile = join(scratch, 'tracked.diff');
      await writeFile(diffFile, await loadBlob(store, manifest.diffHash, 'diff'));
      await git(['apply', '--binary', '--whitespace=nowarn', diffFile], { cwd: intoDir, signal, hostEnv });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  for (const entry of manifest.untracked) {
    // Manifests may come from elsewhere; a path that climbs out of the checkout is refused.
    const target = resolveLexically(intoDir, entry.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await loadBlob(store, entry.hash, `untracked file ${entry.path}`));
  }
}

/** Reads a blob and checks its bytes against its hash. */
export async function loadBlob(
  store: Pick<BlobStore, 'getBlob'>,
  hash: string,
  what: string,
): Promise<Uint8Array> {
  const bytes = await store.getBlob(hash);
  if (bytes === undefined || sha256Hex(bytes) !== hash) throw new MissingBlobError(hash, what);
  return bytes;
}

async function ensureEmptyDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new UserError('directory_not_empty', `cannot restore into ${dir}: the directory is not empty`);
  }
}

/** Reads a manifest stored as its canonical JSON blob (whose hash is the manifest hash). */
export async function loadManifest(
  store: Pick<BlobStore, 'getBlob'>,
  hash: string,
): Promise<WorkspaceManifest> {
  const bytes = await loadBlob(store, hash, 'workspace manifest');
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as WorkspaceManifest;
}
