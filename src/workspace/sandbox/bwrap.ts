import { spawn } from 'node:child_process';
import { EnvironmentError } from '../../core/errors.js';
import { sandboxUser } from './sandbox-user.js';

/** Shown whenever bubblewrap is missing or cannot create namespaces. */
export const BWRAP_INSTALL_HINT =
  'install bubblewrap 0.8 or later (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`; ' +
  'Arch: `pacman -S bubblewrap`) and allow unprivileged user namespaces, or pass `sandbox: "none"` ' +
  '(`--no-sandbox`) to run without isolation';

const probes = new Map<string, Promise<void>>();

/**
 * Checks once per process that `bwrapPath` can create a full sandbox here; rejects with an
 * {@link EnvironmentError} that says how to install it otherwise.
 */
export function ensureBwrap(bwrapPath: string): Promise<void> {
  let probe = probes.get(bwrapPath);
  if (!probe) {
    probe = probeBwrap(bwrapPath);
    probes.set(bwrapPath, probe);
  }
  return probe;
}

function probeBwrap(bwrapPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The same namespaces and user-namespace lock a real sandbox uses, as the user that creates
    // the user namespace (under root, the unprivileged sandbox user).
    const user = sandboxUser();
    const child = spawn(
      bwrapPath,
      ['--unshare-user', '--disable-userns', ...NAMESPACES, '--ro-bind', '/', '/', 'true'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(user && { uid: user.uid, gid: user.gid }),
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      reject(
        new EnvironmentError(
          'sandbox_unavailable',
          `bubblewrap was not found at ${bwrapPath}: ${BWRAP_INSTALL_HINT}`,
          { cause: error },
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new EnvironmentError(
            'sandbox_unavailable',
            `bubblewrap at ${bwrapPath} cannot create a sandbox (${stderr.trim() || `exit ${code}`}): ${BWRAP_INSTALL_HINT}`,
          ),
        );
    });
  });
}

// Namespaces of every sandbox: its own IPC, PID, network (loopback only), UTS and cgroup view.
const NAMESPACES = [
  '--unshare-ipc',
  '--unshare-pid',
  '--unshare-net',
  '--unshare-uts',
  '--unshare-cgroup-try',
];

/** How one sandbox is launched: its view (mount arguments), working directory and user. */
export interface BwrapLaunch {
  bwrapPath: string;
  /** Mount arguments of the view ({@link viewArguments}). */
  view: readonly string[];
  workspace: string;
  /** The private HOME to create inside (in the private `/tmp`). */
  home: string;
  /** When Baton runs as root: the unprivileged uid/gid the command runs as. */
  runAs: { uid: number; gid: number } | null;
}

/**
 * The argv prefix that starts a command in the sandbox, with no privilege inside: a user
 * namespace that cannot create further ones, no capabilities and `no_new_privs`.
 *
 * As an ordinary user one bwrap does it all. Under root, bwrap run by root would map the
 * sandbox to host uid 0 (owner of every root file, exempt from RLIMIT_NPROC), so the launch is
 * two-stage: a root bwrap builds the view (it can read root's toolchains to mount them) and
 * keeps only CAP_SETUID/CAP_SETGID, `setpriv` becomes the unprivileged uid and drops those
 * too, and a second bwrap, run by that uid, adds the user namespace, `--disable-userns` and
 * `--cap-drop ALL` over the finished view.
 */
export function bwrapPrefix(launch: BwrapLaunch): string[] {
  const common = ['--die-with-parent', '--new-session'];
  if (launch.runAs === null) {
    return [
      launch.bwrapPath,
      '--unshare-user',
      '--disable-userns',
      ...NAMESPACES,
      ...common,
      '--cap-drop',
      'ALL',
      ...launch.view,
      '--dir',
      launch.home,
      '--chdir',
      launch.workspace,
      '--',
    ];
  }
  const { uid, gid } = launch.runAs;
  return [
    launch.bwrapPath,
    ...NAMESPACES,
    ...common,
    '--cap-drop',
    'ALL',
    '--cap-add',
    'CAP_SETUID',
    '--cap-add',
    'CAP_SETGID',
    ...launch.view,
    // The inner bwrap, not yet in its user namespace, could not enter the workspace from here.
    '--chdir',
    '/',
    '--',
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    launch.bwrapPath,
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    // The outer view is mounted already; device nodes of its fresh /dev stay usable.
    '--dev-bind',
    '/',
    '/',
    '--dir',
    launch.home,
    '--chdir',
    launch.workspace,
    '--',
  ];
}
