import { existsSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Environment } from '../../core/environment.js';
import { gitText } from '../git.js';
import { ETC_SECRETS } from './etc-secrets.js';

/**
 * Credentials in a HOME, hidden hard wherever a readable toolchain path would otherwise show
 * them (a toolchain under `~/.cargo` is shown, `~/.cargo/credentials.toml` never is).
 */
const HOME_SECRETS = [
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.npmrc',
  '.ssh',
  '.netrc',
  '.git-credentials',
  '.pypirc',
  '.docker',
  '.aws',
  '.gnupg',
];

/** True when `path` is `parent` or lies below it (both absolute and normalised). */
export function isInside(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** True when `path` is one of `parents` or lies below one. */
export function isInsideAny(path: string, parents: readonly string[]): boolean {
  return parents.some((parent) => isInside(path, parent));
}

/**
 * The paths a policy hides. `hard` ones are never visible, not even partly; `soft` ones (the
 * invoking user's HOME, `/root`, `/home`) stay hidden except for toolchains on PATH inside them.
 */
export interface HiddenPaths {
  hard: string[];
  soft: string[];
}

/** The inputs of {@link hiddenPaths}: the run's repository, Baton home, store and `--hide` paths. */
export interface HiddenPathOptions {
  /** The environment Baton runs in: its HOME is hidden, and git inspects the repository in it. */
  hostEnv: Environment;
  sourceRepository?: string | undefined;
  batonHome?: string | undefined;
  storePath?: string | undefined;
  hide?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

/** Resolves every hidden path, by the name given and by its real path (symlinks and `..` resolved). */
export async function hiddenPaths(options: HiddenPathOptions): Promise<HiddenPaths> {
  const soft = ['/root', '/home', passwdHome(), options.hostEnv.HOME].filter(
    (path): path is string => path !== undefined && path !== '',
  );
  const hard: string[] = [
    ...ETC_SECRETS.filter((path) => existsSync(path)),
    ...soft
      .flatMap((home) => HOME_SECRETS.map((name) => join(home, name)))
      .filter((path) => existsSync(path)),
    ...(await sshHostKeys()),
    ...(options.hide ?? []),
  ];
  if (options.batonHome !== undefined) hard.push(options.batonHome);
  if (options.storePath !== undefined) hard.push(...(await storePaths(options.storePath)));
  if (options.sourceRepository !== undefined)
    hard.push(...(await repositoryPaths(options.sourceRepository, options.hostEnv, options.signal)));
  return { soft: await withRealPaths(soft), hard: await withRealPaths(hard) };
}

/** The store file and its directory, by given and by real path (the -wal and -shm files live beside it). */
async function storePaths(storePath: string): Promise<string[]> {
  const file = resolve(storePath);
  const real = await realpath(file).catch(() => file);
  return [file, dirname(file), real, dirname(real)];
}

/**
 * A repository's work tree plus, for a linked worktree, the main worktree and the common git
 * directory (which hold the other checkout's files and every worktree's refs and config).
 */
async function repositoryPaths(
  root: string,
  hostEnv: Environment,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const paths = [resolve(root)];
  // A git that cannot answer (too old for --path-format) leaves the work tree itself hidden.
  const ask = (flag: string) =>
    gitText(['rev-parse', '--path-format=absolute', flag], { cwd: root, hostEnv, signal }).catch(() => '');
  const [gitDir, commonDir] = await Promise.all([ask('--git-dir'), ask('--git-common-dir')]);
  for (const dir of [gitDir, commonDir]) if (dir !== '') paths.push(dir);
  // The main worktree holds the common git directory as its `.git`.
  if (commonDir.endsWith(`${sep}.git`)) paths.push(dirname(commonDir));
  return paths;
}

async function withRealPaths(paths: readonly string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    all.add(absolute);
    // A path that does not exist (yet) is hidden by the name given.
    const real = await realpath(absolute).catch(() => undefined);
    if (real !== undefined) all.add(real);
  }
  return [...all].sort();
}

/** The passwd home of the uid Baton runs as; a uid without a passwd entry has none. */
function passwdHome(): string | undefined {
  try {
    return userInfo().homedir;
  } catch {
    // A uid without a passwd entry has no passwd home to hide.
    return undefined;
  }
}

/** The SSH daemon's private host keys (`/etc/ssh/ssh_host_*_key`); the rest of `/etc/ssh` stays visible. */
async function sshHostKeys(): Promise<string[]> {
  // No /etc/ssh: no host keys to hide.
  const names = await readdir('/etc/ssh').catch(() => [] as string[]);
  return names.filter((name) => /^ssh_host_.*_key$/.test(name)).map((name) => `/etc/ssh/${name}`);
}
