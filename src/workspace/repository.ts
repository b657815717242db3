import {
  DetachedHeadError,
  EmptyRepositoryError,
  GitCommandError,
  NotAGitRepositoryError,
  UnsafeRepositoryOwnerError,
} from './errors.js';
import { type GitScope, git, gitText } from './git.js';

/** A git work tree checked to be capturable: it has a commit and is on a branch. */
export interface RepositoryState {
  /** Absolute path of the work tree's top level. */
  root: string;
  /** The commit `HEAD` points at. */
  head: string;
  /** The branch name (without `refs/heads/`). */
  branch: string;
}

/**
 * Why `git rev-parse --show-toplevel` failed in `dir`: git refused a repository another user
 * owns (told apart, since "not a repository" would send the user looking in the wrong place),
 * or there is no repository.
 */
export function notARepository(
  dir: string,
  error: unknown,
): NotAGitRepositoryError | UnsafeRepositoryOwnerError {
  const refused =
    error instanceof GitCommandError
      ? /dubious ownership in repository at '([^']*)'/.exec(error.stderr)
      : null;
  return refused ? new UnsafeRepositoryOwnerError(refused[1] || dir) : new NotAGitRepositoryError(dir);
}

/** Resolves the repository holding `dir`; not a repository, no commit or a detached HEAD are typed errors. */
export async function inspectRepository(dir: string, scope: GitScope): Promise<RepositoryState> {
  let root: string;
  try {
    root = await gitText(['rev-parse', '--show-toplevel'], { cwd: dir, ...scope });
  } catch (error) {
    if (error instanceof GitCommandError) throw notARepository(dir, error);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotAGitRepositoryError(dir);
    throw error;
  }
  if (root === '') throw new NotAGitRepositoryError(dir);
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: root,
    ...scope,
    okExitCodes: [1],
  });
  if (head.exitCode !== 0) throw new EmptyRepositoryError(root);
  const symbolic = await git(['symbolic-ref', '--quiet', 'HEAD'], { cwd: root, ...scope, okExitCodes: [1] });
  if (symbolic.exitCode !== 0) throw new DetachedHeadError(root);
  return {
    root,
    head: head.stdout.toString('utf8').trim(),
    branch: symbolic.stdout
      .toString('utf8')
      .trim()
      .replace(/^refs\/heads\//, ''),
  };
}
