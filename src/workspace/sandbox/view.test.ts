import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';
import { DEFAULT_SANDBOX_LIMITS } from './limits.js';
import { viewArguments } from './view.js';

function policy(readPaths: string[], hidePaths: string[]): SandboxPolicy {
  return {
    version: 1,
    sandbox: 'bwrap',
    readPaths,
    hidePaths,
    allowHosts: [],
    env: {},
    limits: { ...DEFAULT_SANDBOX_LIMITS },
    runAs: null,
  };
}

/** The index of the mount argument that names `path` as its destination (last argument of a mount). */
const at = (args: string[], flag: string, path: string) =>
  args.findIndex((arg, index) => arg === flag && (args[index + 1] === path || args[index + 2] === path));

describe('viewArguments', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'baton-view-'));
    for (const dir of ['shared/home/tool/bin', 'shared/secret', 'workspace/.git', 'git'])
      mkdirSync(join(root, dir), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('covers a hidden directory inside a readable one, and shows a toolchain inside a hidden HOME again', () => {
    const shared = join(root, 'shared');
    const home = join(shared, 'home');
    const tool = join(home, 'tool');
    const args = viewArguments(policy([shared, tool], [join(shared, 'secret'), home]), {
      workspace: join(root, 'workspace'),
    });
    const readShared = at(args, '--ro-bind', shared);
    const hideHome = at(args, '--tmpfs', home);
    const readTool = at(args, '--ro-bind', tool);
    expect(readShared).toBeGreaterThanOrEqual(0);
    expect(hideHome).toBeGreaterThan(readShared);
    expect(readTool).toBeGreaterThan(hideHome);
    expect(at(args, '--tmpfs', join(shared, 'secret'))).toBeGreaterThan(readShared);
    // Hiding tmpfs mounts and the root are made read-only at the end.
    expect(args.slice(-2)).toEqual(['--remount-ro', '/']);
    expect(args).toContain(home);
  });

  it('skips hidden paths nothing readable contains, and ones that do not exist', () => {
    const args = viewArguments(policy(['/usr'], [join(root, 'shared', 'secret'), '/no/such/dir']), {
      workspace: join(root, 'workspace'),
    });
    expect(args).not.toContain(join(root, 'shared', 'secret'));
    expect(args).not.toContain('/no/such/dir');
  });

  it('hides a file by binding /dev/null over it, and skips a readable path already shown by its parent', () => {
    const args = viewArguments(policy(['/etc', '/etc/ssl'], ['/etc/hostname']), {
      workspace: join(root, 'workspace'),
    });
    expect(args[at(args, '--ro-bind', '/etc/hostname') + 1]).toBe('/dev/null');
    expect(at(args, '--ro-bind', '/etc/ssl')).toBe(-1);
  });

  it('mounts the private /tmp before the workspace, the workspace read-write, then its .git read-only from the private git dir', () => {
    const workspace = join(root, 'workspace');
    const args = viewArguments(policy(['/usr'], []), { workspace, gitDir: join(root, 'git') });
    const tmp = at(args, '--tmpfs', '/tmp');
    const bind = args.indexOf('--bind');
    expect(args.slice(tmp - 4, tmp)).toEqual([
      '--perms',
      '1777',
      '--size',
      String(DEFAULT_SANDBOX_LIMITS.tmpBytes),
    ]);
    expect(args.slice(bind, bind + 3)).toEqual(['--bind', workspace, workspace]);
    expect(tmp).toBeLessThan(bind);
    expect(args.filter((arg) => arg === '--bind')).toHaveLength(1);
    const git = args.indexOf(join(root, 'git'));
    expect(args.slice(git - 1, git + 2)).toEqual(['--ro-bind', join(root, 'git'), join(workspace, '.git')]);
    expect(git).toBeGreaterThan(bind);
  });
});
