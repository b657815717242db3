import { describe, expect, it } from 'vitest';
import { bwrapArguments } from './bwrap.js';

describe('bwrapArguments', () => {
  it('mounts the private /tmp and hidden paths before the workspace bind, which is the only writable path', () => {
    const args = bwrapArguments('bwrap', '/tmp/ws', ['/tmp']);
    const tmpfsTmp = args.indexOf('/tmp');
    const bind = args.indexOf('--bind');
    expect(args.slice(0, 7)).toEqual([
      'bwrap',
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--ro-bind',
      '/',
      '/',
    ]);
    expect(args[tmpfsTmp - 1]).toBe('--tmpfs');
    expect(tmpfsTmp).toBeLessThan(bind);
    expect(args.lastIndexOf('--tmpfs')).toBeLessThan(bind);
    expect(args.slice(bind)).toEqual(['--bind', '/tmp/ws', '/tmp/ws', '--chdir', '/tmp/ws', '--']);
    expect(args.filter((arg) => arg === '--bind')).toHaveLength(1);
  });

  it('skips hidden paths that do not exist', () => {
    expect(bwrapArguments('bwrap', '/tmp/ws', ['/no/such/dir'])).not.toContain('/no/such/dir');
  });
});
