import { spawn } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { EnvironmentError } from '../../core/errors.js';

/** Shown whenever bubblewrap is missing or cannot create namespaces. */
export const BWRAP_INSTALL_HINT =
  'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`; ' +
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
    const child = spawn(bwrapPath, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
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

/** Paths under which nothing is visible inside any sandbox (service sockets live there). */
const ALWAYS_HIDDEN = ['/run'];

/**
 * The bwrap argv prefix for a sandbox whose only writable path is `workspace`. Order matters:
 * the private `/tmp` and the hiding tmpfs mounts come before the workspace bind, because a
 * later tmpfs over a parent of the workspace would hide it. `readOnlyBinds` (the egress proxy's
 * socket directory) come after the tmpfs mounts for the same reason.
 */
export function bwrapArguments(
  bwrapPath: string,
  workspace: string,
  hidePaths: readonly string[],
  readOnlyBinds: readonly string[] = [],
): string[] {
  const args = [bwrapPath, '--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/', '/'];
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  for (const path of [...ALWAYS_HIDDEN, ...hidePaths]) {
    if (isRealDirectory(path)) args.push('--tmpfs', path);
  }
  for (const path of readOnlyBinds) args.push('--ro-bind', path, path);
  args.push('--bind', workspace, workspace, '--chdir', workspace, '--');
  return args;
}

// A tmpfs can only be mounted over an existing directory; symlinks (such as /var/run) are skipped
// because their target is hidden through its own entry.
function isRealDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
