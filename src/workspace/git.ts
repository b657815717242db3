import { spawn } from 'node:child_process';
import { EnvironmentError } from '../core/errors.js';
import { GitCommandError } from './errors.js';

/** Options of {@link git}. */
export interface GitOptions {
  cwd: string;
  /** Extra environment (e.g. `GIT_INDEX_FILE`), on top of the cleaned process environment. */
  env?: Record<string, string>;
  input?: Uint8Array | string;
  signal?: AbortSignal | undefined;
  /** Exit codes that are not failures (e.g. `1` for `git diff --quiet`). */
  okExitCodes?: readonly number[];
}

/** The outcome of a git command that did not fail. */
export interface GitResult {
  exitCode: number;
  stdout: Buffer;
}

// Variables that would redirect git to another repository or index when Baton itself runs
// inside a git hook; every call names its repository explicitly instead.
const REDIRECTING_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_PREFIX',
];

function gitEnvironment(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  for (const name of REDIRECTING_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** Runs `git <args>` and returns its stdout as bytes; a failing exit is a {@link GitCommandError}. */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: gitEnvironment(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new EnvironmentError('git_missing', 'git is not installed or not on PATH', { cause: error }));
      } else {
        reject(error);
      }
    });
    child.on('close', (code) => {
      const exitCode = code ?? -1;
      if (exitCode === 0 || options.okExitCodes?.includes(exitCode)) {
        resolve({ exitCode, stdout: Buffer.concat(stdout) });
      } else {
        reject(new GitCommandError(args, code, Buffer.concat(stderr).toString('utf8')));
      }
    });
    // A child that exits before reading its input closes the pipe; that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and returns stdout as trimmed text. */
export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.toString('utf8').trim();
}

/** Splits `-z` output into paths. */
export function splitNul(output: Buffer): string[] {
  return output
    .toString('utf8')
    .split('\0')
    .filter((entry) => entry.length > 0);
}

/** Diff options pinned so that user configuration (prefixes, renames, external tools) cannot change the patch format. */
export const DIFF_FORMAT: readonly string[] = [
  '--binary',
  '--no-renames',
  '--no-ext-diff',
  '--no-textconv',
  '--no-color',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/** A pathspec for the whole tree minus the given paths, matched literally (secret files stay out of blobs). */
export function excludingPathspec(paths: readonly string[]): string[] {
  return ['.', ...paths.map((path) => `:(exclude,literal)${path}`)];
}
