import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe } from 'vitest';
import { type CliResult, collectProcess, REPO_ROOT } from './cli.js';

/** `nobody`: the ordinary user the sandbox tests run as when the suite runs as root. */
export const NOBODY = 65534;

/** True when the suite runs as root (so "as an ordinary user" means as `nobody`). */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * Why sandboxes cannot run as an ordinary user on this machine, or undefined when they can:
 * `setpriv` missing (under root), bwrap missing, or bwrap unable to create a user namespace as
 * that user (unprivileged user namespaces disabled, an AppArmor profile, a seccomp filter...).
 * The tests that need it skip with this text; everything else about running as `nobody` fails.
 */
export const ORDINARY_USER_UNAVAILABLE: string | undefined = probeOrdinaryUser();
// Said once per test file, so that the default reporter shows why, not only a skip count.
if (ORDINARY_USER_UNAVAILABLE)
  console.warn(`sandbox tests as an ordinary user skipped: ${ORDINARY_USER_UNAVAILABLE}`);

function probeOrdinaryUser(): string | undefined {
  const bwrap = ['bwrap', '--unshare-user', '--disable-userns', '--unshare-net', '--unshare-pid'];
  const argv = [...bwrap, '--ro-bind', '/', '/', 'true'];
  const probe = RUNNING_AS_ROOT
    ? spawnSync('setpriv', [...AS_NOBODY, '--', ...argv], { encoding: 'utf8' })
    : spawnSync(argv[0] ?? 'bwrap', argv.slice(1), { encoding: 'utf8' });
  const who = RUNNING_AS_ROOT ? 'nobody (uid 65534)' : 'this user';
  if (probe.error) {
    const missing = RUNNING_AS_ROOT ? 'setpriv (util-linux)' : 'bwrap (bubblewrap)';
    return `${missing} cannot be started: ${probe.error.message}`;
  }
  if (probe.status === 0) return undefined;
  const stderr = probe.stderr.trim();
  if (/setpriv: failed to execute bwrap|No such file/.test(stderr))
    return `bwrap is not installed: ${stderr}`;
  return `bwrap cannot create a user namespace as ${who} (${stderr || `exit ${probe.status}`}); allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0)`;
}

/**
 * `describe` for a suite that needs sandboxes as an ordinary user: skipped where that is
 * impossible ({@link ORDINARY_USER_UNAVAILABLE}), with the reason in its title.
 */
export function describeAsOrdinaryUser(title: string, body: () => void): void {
  const reason = ORDINARY_USER_UNAVAILABLE;
  describe.skipIf(reason !== undefined)(reason ? `${title} (skipped: ${reason})` : title, body);
}

// Under root, the ordinary user's process sees this repository at a path of its own: a bind
// mount, in a private mount namespace, of the repository over an empty directory outside /tmp.
// A clone under /root (0700) is unreadable to `nobody` by its real path; through the mount it
// reads what the files' own modes allow. The directory stays empty on the host, so removing it
// is an `rmdir`, never a recursive delete.
const viewPrefix = '/var/tmp/baton-nobody-repo-';

/** Where the ordinary user's process finds `path` of this repository (other paths are unchanged). */
function inView(path: string, root: string): string {
  const inside = relative(REPO_ROOT, path);
  return inside.startsWith('..') ? path : join(root, inside);
}

/** Options of {@link spawnAsOrdinaryUser}. */
export interface OrdinaryUserSpawn {
  /** Working directory (a path of this repository is moved into the view). Default: the repository. */
  cwd?: string;
  /** The whole environment besides PATH; HOME is unset unless given, as for a service user. */
  env?: Record<string, string>;
  /** A command prefix that starts the process (e.g. `prlimit --nofile=512:512 --`), before the user changes. */
  prefix?: string[];
}

/**
 * Starts Node as an ordinary user: `nobody` under root (through `setpriv`, with no
 * supplementary groups), else the current user. `args(root)` builds Node's arguments from the
 * repository root as that process sees it. Only PATH and `options.env` pass.
 */
export function spawnAsOrdinaryUser(
  args: (root: string) => string[],
  options: OrdinaryUserSpawn = {},
): ChildProcess {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env };
  const prefix = options.prefix ?? [];
  if (!RUNNING_AS_ROOT) {
    const [command = process.execPath, ...rest] = [...prefix, process.execPath];
    return spawn(command, [...rest, ...args(REPO_ROOT)], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  const root = mkdtempSync(viewPrefix);
  const cwd = inView(options.cwd ?? REPO_ROOT, root);
  // $1: the repository, $2: its view, $3: the working directory; the rest is the command.
  const script = 'mount --bind "$1" "$2" && cd "$3" && shift 3 && exec "$@"';
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      script,
      'as-nobody',
      REPO_ROOT,
      root,
      cwd,
      ...prefix,
      'setpriv',
      ...AS_NOBODY,
      '--',
      process.execPath,
      ...args(root),
    ],
    { cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.on('close', () => {
    try {
      rmdirSync(root);
    } catch {
      // Not empty (never expected: the mount lived in the child's namespace only): left alone, never removed recursively.
    }
  });
  return child;
}

/**
 * Runs `source(root)` (an ES module snippet that prints one JSON value last; `root` is the
 * repository as the child sees it) in a fresh Node process as an ordinary user.
 */
export async function runAsOrdinaryUser(
  source: (root: string) => string,
  env: Record<string, string> = {},
): Promise<unknown> {
  const args = (root: string) => ['--import', 'tsx', '--input-type=module', '-e', source(root)];
  const child = spawnAsOrdinaryUser(args, { env });
  const result = await collectProcess(child, 120_000);
  if (result.code !== 0) throw new Error(`probe exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
}

// tsx by real path: in a worktree node_modules may be a symlink out of the repository.
const TSX_LOADER = realpathSync(createRequire(import.meta.url).resolve('tsx'));

/** Runs `baton <args>` from the sources as an ordinary user, in `cwd`, with only PATH and `env`. */
export function runCliAsOrdinaryUser(
  args: string[],
  options: OrdinaryUserSpawn & { cwd: string; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawnAsOrdinaryUser(
    (root) => ['--import', inView(TSX_LOADER, root), join(root, 'src', 'cli', 'main.ts'), ...args],
    options,
  );
  return collectProcess(child, options.timeoutMs ?? 120_000);
}

/** Runs one of test/fixtures/sandbox-scenarios.ts's scenarios as an ordinary user. */
export function runScenarioAsOrdinaryUser(name: string, root: string): Promise<unknown> {
  const module = new URL('../fixtures/sandbox-scenarios.ts', import.meta.url).pathname;
  return runAsOrdinaryUser(
    (repo) => `import { SCENARIOS } from ${JSON.stringify(inView(module, repo))};
     console.log(JSON.stringify(await SCENARIOS[${JSON.stringify(name)}](${JSON.stringify(root)})));`,
  );
}
