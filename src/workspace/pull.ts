import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, NotFoundError, UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { GitCommandError, NotAGitRepositoryError, PatchConflictError } from './errors.js';
import { git, gitText } from './git.js';
import { loadBlob } from './restore.js';

/** Options of {@link pullRun}. */
export interface PullOptions {
  /** A directory inside the repository to pull into. */
  dir: string;
  /** Always create branch `baton/<runId>`, even when the tree is clean at the base ref. */
  branch?: boolean;
  signal?: AbortSignal;
}

/** What a pull did: applied the patch to the working tree, or committed it on a new branch. */
export type PullResult =
  | { mode: 'applied'; runId: string; baseRef: string }
  | { mode: 'branch'; runId: string; baseRef: string; branch: string; commit: string };

/** The base ref and patch blob a workspace run recorded. */
async function runPatch(
  store: Store,
  runId: string,
): Promise<{ baseRef: string; patchHash: string; contractHash?: string }> {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  const events = (await store.readEvents(run.sessionId)).filter((event) => event.runId === runId);
  let baseRef: string | undefined;
  let patchHash: string | null | undefined;
  let contractHash: string | undefined;
  for (const event of events) {
    if (event.type === 'workspace.captured') baseRef = event.data.baseRef;
    if (event.type === 'workspace.patch') patchHash = event.data.patchHash;
    if (event.type === 'contract.issued') contractHash = event.data.contractHash;
  }
  if (baseRef === undefined || patchHash === undefined) {
    throw new ConflictError(
      `run ${runId} has no workspace patch (not a workspace run, or not finished)`,
      'no_patch',
    );
  }
  if (patchHash === null)
    throw new UserError('empty_patch', `run ${runId} changed nothing: there is nothing to pull`);
  return { baseRef, patchHash, ...(contractHash !== undefined && { contractHash }) };
}

/**
 * Pulls a run's patch back into a repository. When the tree is clean (tracked files) and HEAD
 * is the run's base ref, the patch is applied in place; otherwise, or with `branch`, branch
 * `baton/<runId>` is created from the base ref with the patch committed, through a temporary
 * index so that the working tree and the real index are never touched. A patch that does not
 * apply is a {@link PatchConflictError} and nothing changes.
 */
export async function pullRun(store: Store, runId: string, options: PullOptions): Promise<PullResult> {
  const { signal } = options;
  const { baseRef, patchHash, contractHash } = await runPatch(store, runId);
  const root = await gitText(['rev-parse', '--show-toplevel'], { cwd: options.dir, signal }).catch(() => {
    throw new NotAGitRepositoryError(options.dir);
  });
  const hasBase = await git(['cat-file', '-e', `${baseRef}^{commit}`], {
    cwd: root,
    signal,
    okExitCodes: [1, 128],
  });
  if (hasBase.exitCode !== 0) {
    throw new UserError(
      'base_not_found',
      `the run's base commit ${baseRef} is not in the repository at ${root}`,
    );
  }
  const scratch = await mkdtemp(join(tmpdir(), 'baton-pull-'));
  try {
    const patchFile = join(scratch, 'run.patch');
    await writeFile(patchFile, await loadBlob(store, patchHash, 'patch'));
    if (!options.branch && (await isCleanAt(root, baseRef, signal))) {
      await applyChecked(['apply', '--binary', patchFile], root, signal);
      return { mode: 'applied', runId, baseRef };
    }
    const branch = `baton/${runId}`;
    const commit = await commitOnBranch({
      root,
      scratch,
      patchFile,
      baseRef,
      branch,
      runId,
      contractHash,
      signal,
    });
    return { mode: 'branch', runId, baseRef, branch, commit };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function isCleanAt(root: string, baseRef: string, signal: AbortSignal | undefined): Promise<boolean> {
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], {
    cwd: root,
    signal,
    okExitCodes: [1],
  });
  if (head.stdout.toString('utf8').trim() !== baseRef) return false;
  const status = await git(['status', '--porcelain', '--untracked-files=no'], { cwd: root, signal });
  return status.stdout.length === 0;
}

/** Runs `git apply --check` first, so that a patch that does not apply changes nothing. */
async function applyChecked(
  args: string[],
  cwd: string,
  signal: AbortSignal | undefined,
  env?: Record<string, string>,
) {
  try {
    await git([args[0] ?? 'apply', '--check', ...args.slice(1)], { cwd, signal, ...(env && { env }) });
  } catch (error) {
    if (error instanceof GitCommandError)
      throw new PatchConflictError(error.stderr.split('\n')[0] ?? error.message);
    throw error;
  }
  await git(args, { cwd, signal, ...(env && { env }) });
}

async function commitOnBranch(options: {
  root: string;
  scratch: string;
  patchFile: string;
  baseRef: string;
  branch: string;
  runId: string;
  contractHash: string | undefined;
  signal: AbortSignal | undefined;
}): Promise<string> {
  const { root, signal } = options;
  const existing = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${options.branch}`], {
    cwd: root,
    signal,
    okExitCodes: [1],
  });
  if (existing.exitCode === 0)
    throw new ConflictError(`branch ${options.branch} already exists`, 'branch_exists');
  // A private index: the user's index and working tree are never read or written.
  const env = { GIT_INDEX_FILE: join(options.scratch, 'index'), ...(await fallbackIdentity(root, signal)) };
  await git(['read-tree', options.baseRef], { cwd: root, signal, env });
  await applyChecked(['apply', '--cached', '--binary', options.patchFile], root, signal, env);
  const tree = await gitText(['write-tree'], { cwd: root, signal, env });
  const message = [
    `baton: patch of run ${options.runId}`,
    '',
    `Baton-Run: ${options.runId}`,
    ...(options.contractHash ? [`Baton-Contract: ${options.contractHash}`] : []),
  ].join('\n');
  const commit = await gitText(['commit-tree', tree, '-p', options.baseRef, '-m', message], {
    cwd: root,
    signal,
    env,
  });
  // The empty old value makes the update fail if the branch appeared meanwhile.
  await git(['update-ref', `refs/heads/${options.branch}`, commit, ''], { cwd: root, signal });
  return commit;
}

/** Commits need an identity; when the repository has none configured, Baton signs as itself. */
async function fallbackIdentity(
  root: string,
  signal: AbortSignal | undefined,
): Promise<Record<string, string>> {
  if (process.env.GIT_COMMITTER_EMAIL || process.env.EMAIL) return {};
  const email = await git(['config', 'user.email'], { cwd: root, signal, okExitCodes: [1] });
  if (email.stdout.toString('utf8').trim() !== '') return {};
  return {
    GIT_AUTHOR_NAME: 'Baton',
    GIT_AUTHOR_EMAIL: 'baton@localhost',
    GIT_COMMITTER_NAME: 'Baton',
    GIT_COMMITTER_EMAIL: 'baton@localhost',
  };
}
