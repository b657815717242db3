import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway git repository in a temp dir, committed with a fixed identity. */
export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  write(path: string, content: string | Uint8Array): void;
  commitAll(message: string): string;
  remove(): void;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Creates a repository on branch `main`, optionally with initial files committed. */
export function createTempRepo(
  files: Record<string, string> = {},
  options: { parent?: string } = {},
): TempRepo {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), 'baton-repo-'));
  const run = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
  const write = (path: string, content: string | Uint8Array): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  run('init', '--quiet', '--initial-branch=main');
  for (const [path, content] of Object.entries(files)) write(path, content);
  const repo: TempRepo = {
    dir,
    git: run,
    write,
    commitAll(message) {
      run('add', '-A');
      run('commit', '--quiet', '--allow-empty', '-m', message);
      return run('rev-parse', 'HEAD');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (Object.keys(files).length > 0) repo.commitAll('initial');
  return repo;
}
