import { lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';
import { isInside } from './hidden-paths.js';

/** Where the sandbox's private HOME lives: inside its size-limited private `/tmp`, never in the checkout. */
export const SANDBOX_HOME = '/tmp/home';

/** What a view shows besides the policy's paths. */
export interface ViewTargets {
  /** The workspace: the only writable path. */
  workspace: string;
  /** A git directory shown read-only as the workspace's `.git` (a host-private one Baton reads afterwards). */
  gitDir?: string | undefined;
  /** Directories to show read-only at their own path (the egress proxy's socket directory). */
  readOnly?: readonly string[];
}

type MountOperation =
  | { kind: 'read'; path: string; source: string }
  | { kind: 'hide'; path: string }
  | { kind: 'fresh'; path: string; args: string[] }
  | { kind: 'write'; path: string };

// At equal depth a read comes first and a hide after it, so a hidden path wins over a readable
// one that names the same directory; the workspace and its `.git` always come last.
const ORDER: Record<MountOperation['kind'], number> = { read: 0, fresh: 1, hide: 2, write: 3 };

/**
 * The bwrap mount arguments of a deny-by-default view: an empty root, the policy's readable
 * paths read-only, the hidden paths covered wherever something readable contains them, a
 * private size-limited `/tmp`, fresh `/dev` and `/proc`, and the workspace read-write with its
 * `.git` read-only. Mounts are applied from the shallowest path down, so a deeper mount decides
 * what is visible: a hidden directory inside a readable one is covered, a toolchain inside a
 * hidden HOME is shown again.
 */
export function viewArguments(policy: SandboxPolicy, targets: ViewTargets): string[] {
  const operations: MountOperation[] = [
    ...policy.readPaths.map((path): MountOperation => ({ kind: 'read', path, source: path })),
    ...(targets.readOnly ?? []).map((path): MountOperation => ({ kind: 'read', path, source: path })),
    ...policy.hidePaths.map((path): MountOperation => ({ kind: 'hide', path })),
    { kind: 'fresh', path: '/dev', args: ['--dev', '/dev'] },
    { kind: 'fresh', path: '/proc', args: ['--proc', '/proc'] },
    {
      kind: 'fresh',
      path: '/tmp',
      args: ['--perms', '1777', '--size', String(policy.limits.tmpBytes), '--tmpfs', '/tmp'],
    },
    { kind: 'write', path: targets.workspace },
  ];
  if (targets.gitDir !== undefined)
    operations.push({ kind: 'read', path: `${targets.workspace}/.git`, source: targets.gitDir });
  operations.sort(
    (left, right) => depth(left.path) - depth(right.path) || ORDER[left.kind] - ORDER[right.kind],
  );
  const plan = new ViewPlan();
  for (const operation of operations) plan.add(operation);
  return plan.finish();
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/** Accumulates bwrap arguments while tracking which paths the view shows so far. */
class ViewPlan {
  readonly #args: string[] = [];
  readonly #applied: MountOperation[] = [];
  readonly #made = new Set<string>();
  readonly #hiddenDirectories: string[] = [];
  add(operation: MountOperation): void {
    const stats = lstatOrUndefined(operation.kind === 'read' ? operation.source : operation.path);
    if (operation.kind === 'hide') {
      // Only what the view shows needs covering: everything else is absent already.
      // A path reached through a symlink is hidden through its real path's own entry.
      if (!stats || !isRealPath(operation.path) || this.#deepestCovering(operation.path)?.kind !== 'read')
        return;
      this.#record(operation);
      if (stats.isDirectory()) {
        this.#args.push('--perms', '0555', '--size', '4096', '--tmpfs', operation.path);
        this.#hiddenDirectories.push(operation.path);
      } else {
        this.#args.push('--ro-bind', '/dev/null', operation.path);
      }
      return;
    }
    if (operation.kind === 'fresh') {
      this.#makeParents(operation.path);
      this.#record(operation);
      this.#args.push(...operation.args);
      return;
    }
    if (!stats) return;
    if (
      operation.kind === 'read' &&
      this.#deepestCovering(operation.path)?.kind === 'read' &&
      operation.source === operation.path
    )
      return;
    this.#makeParents(operation.path);
    this.#record(operation);
    if (operation.kind === 'write') {
      this.#args.push('--bind', operation.path, operation.path);
    } else if (stats.isSymbolicLink()) {
      // `/bin -> usr/bin` on merged-/usr systems: recreated as the same symlink.
      this.#args.push('--symlink', readlinkSync(operation.source), operation.path);
    } else {
      this.#args.push('--ro-bind', operation.source, operation.path);
    }
  }

  finish(): string[] {
    // The hiding tmpfs mounts and the empty root become read-only once everything is mounted.
    for (const path of this.#hiddenDirectories) this.#args.push('--remount-ro', path);
    return [...this.#args, '--remount-ro', '/'];
  }

  #record(operation: MountOperation): void {
    this.#applied.push(operation);
  }

  /** The last applied mount at or above `path`: it decides whether `path` is visible. */
  #deepestCovering(path: string): MountOperation | undefined {
    let found: MountOperation | undefined;
    for (const operation of this.#applied) {
      if (isInside(path, operation.path) && (!found || depth(operation.path) >= depth(found.path)))
        found = operation;
    }
    return found;
  }

  /** Creates (mode 0755) the parents of `path` that no readable mount already provides. */
  #makeParents(path: string): void {
    const parents: string[] = [];
    for (let parent = dirname(path); parent !== '/'; parent = dirname(parent)) parents.unshift(parent);
    for (const parent of parents) {
      if (this.#made.has(parent)) continue;
      const covering = this.#deepestCovering(parent);
      if (covering?.kind === 'read' || covering?.kind === 'write' || covering?.path === parent) continue;
      this.#args.push('--perms', '0755', '--dir', parent);
      this.#made.add(parent);
    }
  }
}

function isRealPath(path: string): boolean {
  try {
    return realpathSync(path) === path;
  } catch {
    // A path that does not resolve is not a real path.
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    // Not there: the caller asks whether it is.
    return undefined;
  }
}
