import {
  DetachedHeadError,
  EmptyRepositoryError,
  GitCommandError,
  NotAGitRepositoryError,
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

/** Resolves the repository holding `dir`; not a repository, no commit or a detached HEAD are typed errors. */
export async function inspectRepository(dir: string, scope: GitScope): Promise<RepositoryState> {
  let root: string;
  try {
    root = await gitText(['rev-parse', '--show-toplevel'], { cwd: dir, ...scope });
  } catch (error) {
    if (error instanceof GitCommandError) throw new NotAGitRepositoryError(dir);
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
