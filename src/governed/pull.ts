import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processEnvironment } from '../config/process-environment.js';
import type { Environment } from '../core/environment.js';
import { ConflictError, UserError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { trackedDiff } from '../workspace/capture.js';
import { GitCommandError, PatchConflictError, UnsafeSymlinkError } from '../workspace/errors.js';
import { type GitScope, git, gitText } from '../workspace/git.js';
import type { WorkspaceManifest } from '../workspace/manifest.js';
import { inspectTreeChange, isUnsafeSymlink, type PatchOverview } from '../workspace/patch-inspection.js';
import { notARepository } from '../workspace/repository.js';
import { loadBlob } from '../workspace/restore.js';
import { secretMatcher } from '../workspace/secret-patterns.js';
import { type RunReader, type TrustedRunPatch, trustedRunPatch } from './pull-trust.js';

/** Options of {@link pullRun}. */
export interface PullOptions {
  /** A directory inside the repository to pull into. */
  dir: string;
  /** Always create branch `baton/<runId>`, even when the tree equals the run's starting state. */
  branch?: boolean;
  /** Apply a patch that adds symlinks pointing outside the repository or into `.git`. */
  allowOutsideSymlinks?: boolean;
  /** Called with what the patch changes once every check passed and before anything is written. */
  onOverview?: (overview: PatchOverview) => void;
  signal?: AbortSignal;
  /** The environment git runs in: PATH, HOME, the user's identity and git configuration (default: the process environment). */
  hostEnv?: Environment;
}

/** What a pull did: applied the run's change to the working tree, or committed it on a new branch. */
export type PullResult =
  | { mode: 'applied'; runId: string; baseRef: string; overview: PatchOverview }
  | {
      mode: 'branch';
      runId: string;
      baseRef: string;
      branch: string;
      commit: string;
      /** The commit of the starting state (the uncommitted changes the run started from), when there were any. */
      startCommit: string | null;
      overview: PatchOverview;
    };

/**
 * Pulls a run's patch back into a repository. Before anything is written: the run's event log
 * and receipt are verified, the patch must apply to the run's starting state, and a patch that
 * adds a symlink leading out of the repository or into `.git` is refused (unless allowed). When
 * HEAD is the run's base and the working tree equals the starting state, the run's change is
 * applied in place; otherwise (or with `branch`) branch `baton/<runId>` is created with the
 * starting state's uncommitted changes as one commit and the run's change as the next, built
 * in a private index so that the working tree and the real index are never touched.
 */
export async function pullRun(store: RunReader, runId: string, options: PullOptions): Promise<PullResult> {
  const scope: GitScope = { hostEnv: options.hostEnv ?? processEnvironment(), signal: options.signal };
  const run = await trustedRunPatch(store, runId);
  const root = await gitText(['rev-parse', '--show-toplevel'], { cwd: options.dir, ...scope }).catch(
    (error: unknown) => {
      throw notARepository(options.dir, error);
    },
  );
  const hasBase = await git(['cat-file', '-e', `${run.baseRef}^{commit}`], {
    cwd: root,
    ...scope,
    okExitCodes: [1, 128],
  });
  if (hasBase.exitCode !== 0) {
    throw new UserError(
      'base_not_found',
      `the run's base commit ${run.baseRef} is not in the repository at ${root}`,
    );
  }
  const scratch = await mkdtemp(join(tmpdir(), 'baton-pull-'));
  try {
    const patchFile = join(scratch, 'run.patch');
    await writeFile(patchFile, run.patch);
    // A private index: the user's index and working tree are never read or written here.
    const env = { GIT_INDEX_FILE: join(scratch, 'index'), ...(await fallbackIdentity(root, scope)) };
    // Older runs recorded their patch against the base commit, their starting state's dirty changes included.
    const start = run.againstBase ? { ...run.manifest, untracked: [] } : run.manifest;
    if (run.againstBase) delete start.diffHash;
    const startTree = await buildStartTree(store, start, root, env, scope);
    await applyChecked(['apply', '--cached', '--binary', patchFile], root, scope, env);
    const resultTree = await gitText(['write-tree'], { cwd: root, ...scope, env });
    const overview = await inspectTreeChange(startTree, resultTree, { cwd: root, ...scope });
    const unsafe = overview.symlinks.filter((link) => isUnsafeSymlink(link.path, link.target));
    if (unsafe.length > 0 && !options.allowOutsideSymlinks) throw new UnsafeSymlinkError(unsafe);
    options.onOverview?.(overview);
    if (!options.branch && (await equalsStartingState(root, { ...run, manifest: start }, scope))) {
      await applyChecked(['apply', '--binary', patchFile], root, scope);
      return { mode: 'applied', runId, baseRef: run.baseRef, overview };
    }
    const branch = `baton/${runId}`;
    const existing = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: root,
      ...scope,
      okExitCodes: [1],
    });
    if (existing.exitCode === 0) throw new ConflictError(`branch ${branch} already exists`, 'branch_exists');
    const baseTree = await gitText(['rev-parse', `${run.baseRef}^{tree}`], { cwd: root, ...scope });
    const trailers = [
      '',
      `Baton-Run: ${runId}`,
      ...(run.contractHash ? [`Baton-Contract: ${run.contractHash}`] : []),
    ];
    const commit = (tree: string, parent: string, subject: string) =>
      gitText(['commit-tree', tree, '-p', parent, '-m', [subject, ...trailers].join('\n')], {
        cwd: root,
        ...scope,
        env,
      });
    const startCommit =
      startTree === baseTree
        ? null
        : await commit(
            startTree,
            run.baseRef,
            `baton: starting state of run ${runId} (your uncommitted changes)`,
          );
    const head = await commit(resultTree, startCommit ?? run.baseRef, `baton: patch of run ${runId}`);
    // The empty old value makes the update fail if the branch appeared meanwhile.
    await git(['update-ref', `refs/heads/${branch}`, head, ''], { cwd: root, ...scope });
    return { mode: 'branch', runId, baseRef: run.baseRef, branch, commit: head, startCommit, overview };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The tree of the run's starting state: its base commit, the captured dirty diff and the captured untracked files. */
async function buildStartTree(
  store: RunReader,
  manifest: WorkspaceManifest,
  root: string,
  env: Record<string, string>,
  scope: GitScope,
): Promise<string> {
  await git(['read-tree', manifest.baseRef], { cwd: root, ...scope, env });
  if (manifest.diffHash !== undefined) {
    const diff = await loadBlob(store, manifest.diffHash, 'diff');
    await applyChecked(['apply', '--cached', '--binary', '-'], root, scope, env, diff);
  }
  for (const entry of manifest.untracked) {
    const bytes = await loadBlob(store, entry.hash, `untracked file ${entry.path}`);
    const object = await gitText(['hash-object', '-w', '--stdin'], { cwd: root, ...scope, input: bytes });
    await git(['update-index', '--add', '--cacheinfo', `100644,${object},${entry.path}`], {
      cwd: root,
      ...scope,
      env,
    });
  }
  return gitText(['write-tree'], { cwd: root, ...scope, env });
}

/**
 * True when HEAD is the run's base and the working tree still holds exactly the starting
 * state: the same tracked changes (secret files aside, as the capture saw them) and the same
 * captured untracked files.
 */
async function equalsStartingState(root: string, run: TrustedRunPatch, scope: GitScope): Promise<boolean> {
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], {
    cwd: root,
    ...scope,
    okExitCodes: [1],
  });
  if (head.stdout.toString('utf8').trim() !== run.baseRef) return false;
  const diff = await trackedDiff(root, secretMatcher(run.secretPatterns), [], scope);
  const diffHash = diff.length === 0 ? undefined : sha256Hex(diff);
  if (diffHash !== run.manifest.diffHash) return false;
  for (const entry of run.manifest.untracked) {
    const bytes = await readFileOrUndefined(join(root, entry.path));
    if (bytes === undefined || sha256Hex(bytes) !== entry.hash) return false;
  }
  return true;
}

// A file the working tree no longer has (or cannot show) is one that differs from the starting state.
function readFileOrUndefined(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

/** Runs `git apply --check` first, so that a patch that does not apply changes nothing. */
async function applyChecked(
  args: string[],
  cwd: string,
  scope: GitScope,
  env?: Record<string, string>,
  input?: Uint8Array,
) {
  const options = { cwd, ...scope, ...(env && { env }), ...(input && { input }) };
  try {
    await git([args[0] ?? 'apply', '--check', ...args.slice(1)], options);
  } catch (error) {
    if (error instanceof GitCommandError)
      throw new PatchConflictError(error.stderr.split('\n')[0] ?? error.message);
    throw error;
  }
  await git(args, options);
}

/** Commits need an identity; when the repository has none configured, Baton signs as itself. */
async function fallbackIdentity(root: string, scope: GitScope): Promise<Record<string, string>> {
  if (scope.hostEnv.GIT_COMMITTER_EMAIL || scope.hostEnv.EMAIL) return {};
  const email = await git(['config', 'user.email'], { cwd: root, ...scope, okExitCodes: [1] });
  if (email.stdout.toString('utf8').trim() !== '') return {};
  return {
    GIT_AUTHOR_NAME: 'Baton',
    GIT_AUTHOR_EMAIL: 'baton@localhost',
    GIT_COMMITTER_NAME: 'Baton',
    GIT_COMMITTER_EMAIL: 'baton@localhost',
  };
}
