import { spawn } from 'node:child_process';
import type { Environment } from '../core/environment.js';
import { EnvironmentError } from '../core/errors.js';
import { GitCommandError, GitOutputTooLargeError } from './errors.js';

/** Options of {@link git}. */
export interface GitOptions {
  cwd: string;
  /**
   * The environment Baton runs in, passed down by its caller: git starts from it (PATH, HOME and
   * the user's git configuration), minus the variables that would redirect it to another repository.
   */
  hostEnv: Environment;
  /** Extra environment (e.g. `GIT_INDEX_FILE`), on top of the cleaned host environment. */
  env?: Record<string, string>;
  input?: Uint8Array | string;
  signal?: AbortSignal | undefined;
  /** Exit codes that are not failures (e.g. `1` for `git diff --quiet`). */
  okExitCodes?: readonly number[];
  /** Kills git and rejects with {@link GitOutputTooLargeError} once stdout exceeds this many bytes. */
  maxStdoutBytes?: number;
  /** The whole environment instead of the cleaned host environment (see {@link hostGit}). */
  exactEnv?: Record<string, string>;
}

/** What the git commands of one operation share: the host environment and the abort signal. */
export type GitScope = Pick<GitOptions, 'hostEnv' | 'signal'>;

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

function gitEnvironment(hostEnv: Environment, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...hostEnv, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  for (const name of REDIRECTING_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** Runs `git <args>` and returns its stdout as bytes; a failing exit is a {@link GitCommandError}. */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: options.exactEnv ?? gitEnvironment(options.hostEnv, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let tooLarge = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) {
        // Stop collecting at once: an oversized output must not be held in memory.
        if (!tooLarge) child.kill('SIGKILL');
        tooLarge = true;
        stdout.length = 0;
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new EnvironmentError('git_missing', 'git is not installed or not on PATH', { cause: error }));
      } else {
        reject(error);
      }
    });
    child.on('close', (code) => {
      if (tooLarge) {
        reject(new GitOutputTooLargeError(args, options.maxStdoutBytes ?? 0));
        return;
      }
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

/** Where {@link hostGit} finds the repository: a git directory only Baton can write, and a work tree. */
export interface HostGitLocation {
  gitDir: string;
  workTree: string;
  /** A private index file (default: the git directory's own). */
  indexFile?: string;
  /** The environment Baton runs in; only its PATH passes, to find git. */
  hostEnv: Environment;
}

// Every configuration key through which git can start a program, or change what a command
// reads, pinned on the command line (which wins over every file). With system and global
// configuration off and a git directory that no sandboxed command could write, nothing the
// checkout contains can make the host execute anything.
const PINNED_CONFIG: readonly string[] = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.pager=cat',
  'core.editor=false',
  'core.sshCommand=false',
  'core.askPass=',
  'core.attributesFile=/dev/null',
  'core.excludesFile=/dev/null',
  'core.untrackedCache=false',
  'core.splitIndex=false',
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.symlinks=true',
  'core.quotePath=false',
  'credential.helper=',
  'diff.external=',
  'diff.ignoreSubmodules=all',
  'submodule.recurse=false',
  'status.submoduleSummary=false',
  'protocol.allow=never',
  'gc.auto=0',
  'maintenance.auto=false',
  'safe.directory=*',
];

/**
 * Runs git on the host over a checkout that a sandboxed command (or an agent's file tools) may
 * have changed: the git directory and work tree are named explicitly (no discovery), system and
 * global configuration are off, every executing configuration key is pinned, and the
 * environment is minimal, so even a program git did start would see no secret.
 */
export function hostGit(
  args: readonly string[],
  location: HostGitLocation,
  options: Omit<GitOptions, 'cwd' | 'env' | 'exactEnv' | 'hostEnv'> & { env?: Record<string, string> } = {},
): Promise<GitResult> {
  const exactEnv: Record<string, string> = {
    PATH: location.hostEnv.PATH || '/usr/bin:/bin',
    LC_ALL: 'C',
    HOME: '/nonexistent',
    XDG_CONFIG_HOME: '/nonexistent',
    GIT_DIR: location.gitDir,
    GIT_WORK_TREE: location.workTree,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_PAGER: 'cat',
    ...(location.indexFile !== undefined && { GIT_INDEX_FILE: location.indexFile }),
    ...options.env,
  };
  const pinned = PINNED_CONFIG.flatMap((entry) => ['-c', entry]);
  return git([...pinned, ...args], { ...options, cwd: location.workTree, hostEnv: {}, exactEnv });
}
