import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory/memory-store.js';
import { captureWorkspace } from './capture.js';
import { openScratchWorkspace, privateScratchParent } from './scratch-workspace.js';

describe('scratch workspaces', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('come from mkdtemp (mode 0700, unpredictable name) with the git directory outside the checkout', async () => {
    const store = new MemoryStore();
    const manifest = await captureWorkspace(process.cwd(), {}, store);
    const first = await openScratchWorkspace(manifest, store, {
      prefix: 'baton-test-',
      hostEnv: process.env,
    });
    const second = await openScratchWorkspace(manifest, store, {
      prefix: 'baton-test-',
      hostEnv: process.env,
    });
    made.push(first.dir, second.dir);
    expect(statSync(first.dir).mode & 0o777).toBe(0o700);
    expect(basename(first.dir)).toMatch(/^baton-test-.{6}$/);
    expect(first.dir).not.toBe(second.dir);
    expect(first.gitDir.startsWith(first.checkout)).toBe(false);
    expect(statSync(join(first.gitDir, 'HEAD')).isFile()).toBe(true);
    expect(statSync(join(first.checkout, '.git')).isDirectory()).toBe(true);
    await first.remove();
    expect(() => statSync(first.dir)).toThrow();
  }, 60_000);

  it('refuse a private parent that is a symlink or that others may enter', async () => {
    const base = mkdtempSync(join(tmpdir(), 'baton-parent-'));
    made.push(base);
    const parent = await privateScratchParent(base);
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    expect(await privateScratchParent(base)).toBe(parent);
    // A look-alike planted by someone else is refused, whatever it contains.
    rmSync(parent, { recursive: true });
    mkdirSync(parent);
    chmodSync(parent, 0o777);
    await expect(privateScratchParent(base)).rejects.toMatchObject({ code: 'scratch_dir_unsafe' });
    rmSync(parent, { recursive: true });
    mkdirSync(join(base, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(base, 'elsewhere'), parent);
    await expect(privateScratchParent(base)).rejects.toMatchObject({ code: 'scratch_dir_unsafe' });
  });
});
