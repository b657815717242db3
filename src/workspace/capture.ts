import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processEnvironment } from '../config/process-environment.js';
import type { Environment } from '../core/environment.js';
import type { BlobStore } from '../store/blob-store.js';
import { DIFF_FORMAT, excludingPathspec, type GitScope, git, splitNul } from './git.js';
import type { DeniedReason, UntrackedEntry, WorkspaceManifest } from './manifest.js';
import { inspectRepository } from './repository.js';
import { globMatcher, type SecretMatcher, secretMatcher } from './secret-patterns.js';

/** Options of {@link captureWorkspace}. */
export interface CaptureOptions {
  /** Globs (repository-relative) of untracked files to capture; others are listed as denied. */
  allowUntracked?: readonly string[];
  /** Untracked files larger than this are denied as `too_large` (default 10 MiB). */
  maxFileBytes?: number;
  /** Extra secret patterns, added to {@link DEFAULT_SECRET_PATTERNS}. */
  secretPatterns?: readonly string[];
  signal?: AbortSignal;
  /** The environment git runs in: PATH, HOME and the user's git configuration (default: the process environment). */
  hostEnv?: Environment;
}

const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Captures the git work tree holding `dir` into blobs: a bundle of `HEAD`, the binary diff of
 * staged and unstaged changes against `HEAD`, and allowlisted untracked files. Secret files are
 * never captured, even when allowlisted or tracked and dirty; they are listed in `denied`.
 * Everything goes to `store` (a durable run passes its run store), never to a process-wide one.
 */
export async function captureWorkspace(
  dir: string,
  options: CaptureOptions = {},
  store: BlobStore,
): Promise<WorkspaceManifest> {
  const scope: GitScope = { hostEnv: options.hostEnv ?? processEnvironment(), signal: options.signal };
  const repository = await inspectRepository(dir, scope);
  const isSecret = secretMatcher(options.secretPatterns);
  const denied: WorkspaceManifest['denied'] = [];

  const bundleHash = await store.putBlob(await bundleHead(repository.root, repository.branch, scope));
  const diff = await trackedDiff(repository.root, isSecret, denied, scope);
  const untracked = await captureUntracked(repository.root, options, scope, isSecret, denied, store);

  const manifest: WorkspaceManifest = {
    version: 1,
    baseRef: repository.head,
    branch: repository.branch,
    bundleHash,
    untracked,
    denied: denied.sort((left, right) => compare(left.path, right.path)),
  };
  if (diff.length > 0) manifest.diffHash = await store.putBlob(diff);
  return manifest;
}

async function bundleHead(root: string, branch: string, scope: GitScope): Promise<Uint8Array> {
  const scratch = await mkdtemp(join(tmpdir(), 'baton-bundle-'));
  try {
    const file = join(scratch, 'head.bundle');
    await git(['bundle', 'create', '--quiet', file, `refs/heads/${branch}`], { cwd: root, ...scope });
    return await readFile(file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The binary diff of staged and unstaged changes of tracked files against `HEAD`, with files
 * matching secret patterns cut out (and pushed onto `denied`). Pull-back recomputes it to tell
 * whether a working tree still equals a run's starting state.
 */
export async function trackedDiff(
  root: string,
  isSecret: SecretMatcher,
  denied: WorkspaceManifest['denied'],
  scope: GitScope,
): Promise<Buffer> {
  const changed = splitNul(
    (await git(['diff', '--name-only', '--no-renames', '-z', 'HEAD'], { cwd: root, ...scope })).stdout,
  );
  if (changed.length === 0) return Buffer.alloc(0);
  const secrets = changed.filter(isSecret);
  for (const path of secrets) denied.push({ path, reason: 'secret' });
  if (secrets.length === changed.length) return Buffer.alloc(0);
  return (
    await git(['diff', ...DIFF_FORMAT, 'HEAD', '--', ...excludingPathspec(secrets)], { cwd: root, ...scope })
  ).stdout;
}

async function captureUntracked(
  root: string,
  options: CaptureOptions,
  scope: GitScope,
  isSecret: SecretMatcher,
  denied: WorkspaceManifest['denied'],
  store: BlobStore,
): Promise<UntrackedEntry[]> {
  const listing = await git(['ls-files', '--others', '--exclude-standard', '-z'], { cwd: root, ...scope });
  const isAllowed = globMatcher(options.allowUntracked ?? []);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const entries: UntrackedEntry[] = [];
  for (const path of splitNul(listing.stdout).sort(compare)) {
    const reason = await untrackedDenial(root, path, isSecret, isAllowed, maxBytes);
    if (reason) {
      denied.push({ path, reason });
      continue;
    }
    const bytes = await readFile(join(root, path));
    entries.push({ path, hash: await store.putBlob(bytes), bytes: bytes.length });
  }
  return entries;
}

async function untrackedDenial(
  root: string,
  path: string,
  isSecret: SecretMatcher,
  isAllowed: (path: string) => boolean,
  maxBytes: number,
): Promise<DeniedReason | undefined> {
  if (isSecret(path)) return 'secret';
  if (!isAllowed(path)) return 'not_allowlisted';
  const stats = await lstat(join(root, path));
  if (!stats.isFile()) return 'not_a_regular_file';
  if (stats.size > maxBytes) return 'too_large';
  return undefined;
}

/** Byte-order comparison, so that manifests are identical whatever the locale. */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
