import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { newId } from '../core/ids.js';

/**
 * The lease owner of a run waiting out a long `Retry-After`: nobody holds it, and the lease
 * expires when the run may be claimed again.
 */
export const DEFERRED_OWNER = 'deferred';

/**
 * Lease owners are `<worker id>@<host>/<pid namespace>/<pid>`. The location lets a worker on the
 * same machine recognise a lease whose holder died (SIGKILL, OOM) and take it over at once
 * instead of waiting out the TTL; leases of other machines always wait for expiry.
 */
export function newWorkerIdentity(): string {
  return `${newId('wrk')}@${hostname()}/${pidNamespace() ?? '-'}/${process.pid}`;
}

/**
 * True only when the owner certainly ran in this machine's process table and that process is
 * gone. Unknown formats, other hosts, other pid namespaces and live processes are all "not dead".
 */
export function isDeadLocalOwner(owner: string): boolean {
  const match = /^[^@]+@(.+)\/([^/]+)\/(\d+)$/.exec(owner);
  if (!match) return false;
  const [, host, namespace, pid] = match;
  const localNamespace = pidNamespace();
  if (host !== hostname() || localNamespace === undefined || namespace !== localNamespace) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

let cachedNamespace: string | null | undefined;

/** The pid namespace inode (Linux); pids are only comparable inside one namespace. */
function pidNamespace(): string | undefined {
  if (cachedNamespace === undefined) {
    try {
      cachedNamespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? null;
    } catch {
      // Not Linux, or no /proc: pids are compared without a namespace.
      cachedNamespace = null;
    }
  }
  return cachedNamespace ?? undefined;
}
