import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Environment } from '../core/environment.js';
import { ForbiddenError, NotFoundError } from '../core/errors.js';
import { NotAGitRepositoryError } from '../workspace/errors.js';
import { gitText } from '../workspace/git.js';
import { inspectRepository } from '../workspace/repository.js';
import { isInside, nearestRealPath } from '../workspace/safe-path.js';

/** A git repository as found on disk: every path real (symlinks resolved). */
export interface FoundRepository {
  /** The directory that was named. */
  dir: string;
  /** The work tree's top level: what a capture takes. */
  root: string;
  /** The git directory and the common git directory (different for a linked worktree). */
  gitDirs: string[];
}

function notFound(path: string, reason: string): NotFoundError {
  return new NotFoundError('repository', path, { code: 'repo_not_found', reason });
}

function notAllowed(path: string): ForbiddenError {
  return new ForbiddenError(
    'repo_not_allowed',
    `repository ${JSON.stringify(path)} is not under a repository root this server allows (--repo-root)`,
  );
}

/**
 * Finds the git repository at `path`: a path that does not exist, is not a directory or is not
 * inside a git work tree is `repo_not_found`. git runs in `hostEnv`, the environment Baton runs in.
 */
export async function findRepository(
  path: string,
  hostEnv: Environment,
  signal?: AbortSignal,
): Promise<FoundRepository> {
  let dir: string;
  try {
    dir = await realpath(resolve(path));
  } catch {
    throw notFound(path, 'does not exist');
  }
  if (!(await stat(dir)).isDirectory()) throw notFound(path, 'is not a directory');
  let root: string;
  try {
    root = (await inspectRepository(dir, { hostEnv, signal })).root;
  } catch (error) {
    if (error instanceof NotAGitRepositoryError) throw notFound(path, 'is not a git repository');
    throw error;
  }
  const gitDirs = (
    await gitText(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], {
      cwd: root,
      hostEnv,
      signal,
    })
  ).split('\n');
  return {
    dir,
    root: await realpath(root),
    gitDirs: await Promise.all(gitDirs.map((gitDir) => realpath(gitDir))),
  };
}

/**
 * Checks a repository a remote caller named (`delegate_code.repoRoot`) against the configured
 * roots, by real path: the directory, its work tree's top level and its git directories must
 * all lie under one of `roots`, else `repo_not_allowed` (a `.git` file can point anywhere).
 * A path under a root that is no repository is `repo_not_found`; one outside every root is
 * `repo_not_allowed` whether it exists or not, so callers learn nothing about the rest of the
 * disk. Returns the real path of the directory, which the task then uses.
 */
export async function allowedRepository(
  path: string,
  roots: readonly string[],
  hostEnv: Environment,
  signal?: AbortSignal,
): Promise<string> {
  const realRoots =
    // A configured root that does not exist allows nothing.
    (await Promise.all(roots.map((root) => realpath(resolve(root)).catch(() => undefined)))).filter(
      (root): root is string => root !== undefined,
    );
  const isAllowed = (candidate: string): boolean => realRoots.some((root) => isInside(root, candidate));
  if (!isAllowed(await nearestRealPath(resolve(path)))) throw notAllowed(path);
  const repository = await findRepository(path, hostEnv, signal);
  if (![repository.dir, repository.root, ...repository.gitDirs].every(isAllowed)) throw notAllowed(path);
  return repository.dir;
}
