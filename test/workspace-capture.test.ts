import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '../src/core/errors.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { captureWorkspace } from '../src/workspace/capture.js';
import { manifestHash } from '../src/workspace/manifest.js';
import { restoreWorkspace } from '../src/workspace/restore.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function repo(files: Record<string, string>): TempRepo {
  const created = createTempRepo(files);
  cleanups.push(created.remove);
  return created;
}

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-restored-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'checkout');
}

/** Every file under `dir` except `.git`, with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(dir, full), readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

async function blobsContain(store: MemoryStore, hashes: string[], needle: string): Promise<boolean> {
  for (const hash of hashes) {
    const bytes = await store.getBlob(hash);
    if (bytes && Buffer.from(bytes).includes(needle)) return true;
  }
  return false;
}

describe('captureWorkspace and restoreWorkspace', () => {
  it('restores a byte-identical tree from staged, unstaged, binary and allowlisted untracked changes', async () => {
    const source = repo({
      'README.md': 'hello\n',
      'src/a.ts': 'export const a = 1;\n',
      'old.txt': 'gone soon\n',
    });
    source.write('README.md', 'hello, world\n');
    source.write('src/b.ts', 'export const b = 2;\n');
    source.git('add', 'src/b.ts');
    source.write('src/b.ts', 'export const b = 3;\n');
    source.git('rm', '--quiet', 'old.txt');
    source.write('image.bin', Buffer.from([0, 1, 2, 255, 254, 0, 10]));
    source.git('add', 'image.bin');
    source.write('notes/todo.md', 'untracked but allowlisted\n');
    source.write('scratch.log', 'untracked, not allowlisted\n');
    const store = new MemoryStore();

    const manifest = await captureWorkspace(source.dir, { allowUntracked: ['notes/**'] }, store);
    const into = scratchDir();
    await restoreWorkspace(manifest, into, store);

    const expected = snapshot(source.dir);
    expected.delete('scratch.log');
    expect(snapshot(into)).toEqual(expected);
    expect(manifest.baseRef).toBe(source.git('rev-parse', 'HEAD'));
    expect(manifest.branch).toBe('main');
    expect(manifest.diffHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.untracked).toEqual([
      { path: 'notes/todo.md', hash: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: 26 },
    ]);
    expect(manifest.denied).toEqual([{ path: 'scratch.log', reason: 'not_allowlisted' }]);
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: into, encoding: 'utf8' }).trim()).toBe(
      manifest.baseRef,
    );
  });

  it('never captures secret files, even when allowlisted or tracked and dirty', async () => {
    const source = repo({ 'app.ts': 'ok\n', 'config/.env.production': 'TOKEN=committed-but-clean\n' });
    source.write('config/.env.production', 'TOKEN=dirty-secret-value\n');
    source.write('.env', 'API_KEY=untracked-secret-value\n');
    source.write('deploy/server.pem', 'PEM-secret-value\n');
    source.write('keys/id_ed25519', 'ssh-secret-value\n');
    source.write('app.ts', 'changed\n');
    source.write('tokens.secret', 'custom-secret-value\n');
    const store = new MemoryStore();

    const manifest = await captureWorkspace(
      source.dir,
      { allowUntracked: ['**'], secretPatterns: ['*.secret'] },
      store,
    );

    expect(manifest.denied).toEqual([
      { path: '.env', reason: 'secret' },
      { path: 'config/.env.production', reason: 'secret' },
      { path: 'deploy/server.pem', reason: 'secret' },
      { path: 'keys/id_ed25519', reason: 'secret' },
      { path: 'tokens.secret', reason: 'secret' },
    ]);
    expect(manifest.untracked).toEqual([]);
    const hashes = [
      manifest.bundleHash,
      manifest.diffHash ?? '',
      ...manifest.untracked.map((entry) => entry.hash),
    ];
    for (const needle of ['dirty-secret', 'untracked-secret', 'PEM-secret', 'ssh-secret', 'custom-secret']) {
      expect(await blobsContain(store, hashes, needle)).toBe(false);
    }
    const into = scratchDir();
    await restoreWorkspace(manifest, into, store);
    expect(readFileSync(join(into, 'app.ts'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(into, 'config/.env.production'), 'utf8')).toBe('TOKEN=committed-but-clean\n');
  });

  it('denies allowlisted untracked files above maxFileBytes', async () => {
    const source = repo({ 'a.txt': 'a\n' });
    source.write('big.dat', 'x'.repeat(2048));
    source.write('small.dat', 'x');
    const manifest = await captureWorkspace(
      source.dir,
      { allowUntracked: ['*.dat'], maxFileBytes: 1024 },
      new MemoryStore(),
    );
    expect(manifest.denied).toEqual([{ path: 'big.dat', reason: 'too_large' }]);
    expect(manifest.untracked.map((entry) => entry.path)).toEqual(['small.dat']);
  });

  it('gives a clean tree no diff and a stable manifest hash', async () => {
    const source = repo({ 'a.txt': 'a\n' });
    const store = new MemoryStore();
    const first = await captureWorkspace(source.dir, {}, store);
    const second = await captureWorkspace(join(source.dir), {}, store);
    expect(first.diffHash).toBeUndefined();
    expect(manifestHash(first)).toBe(manifestHash(second));
  });

  it('captures the whole repository when given a subdirectory', async () => {
    const source = repo({ 'sub/inner.txt': 'inner\n', 'top.txt': 'top\n' });
    const store = new MemoryStore();
    const manifest = await captureWorkspace(join(source.dir, 'sub'), {}, store);
    const into = scratchDir();
    await restoreWorkspace(manifest, into, store);
    expect(readFileSync(join(into, 'top.txt'), 'utf8')).toBe('top\n');
  });

  it('refuses a directory that is not a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-plain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await expect(captureWorkspace(dir, {}, new MemoryStore())).rejects.toMatchObject({
      code: 'not_a_git_repository',
    });
  });

  it('refuses a repository without commits', async () => {
    const source = repo({});
    await expect(captureWorkspace(source.dir, {}, new MemoryStore())).rejects.toMatchObject({
      code: 'empty_repository',
    });
  });

  it('refuses a detached HEAD', async () => {
    const source = repo({ 'a.txt': 'a\n' });
    source.git('checkout', '--quiet', '--detach');
    const error = await captureWorkspace(source.dir, {}, new MemoryStore()).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'detached_head' });
  });

  it('refuses to restore into a non-empty directory or from a manifest whose paths escape', async () => {
    const source = repo({ 'a.txt': 'a\n' });
    const store = new MemoryStore();
    const manifest = await captureWorkspace(source.dir, {}, store);
    await expect(restoreWorkspace(manifest, source.dir, store)).rejects.toMatchObject({
      code: 'directory_not_empty',
    });
    const hash = await store.putBlob(Buffer.from('evil'));
    const evil = { ...manifest, untracked: [{ path: '../escaped.txt', hash, bytes: 4 }] };
    const into = scratchDir();
    await expect(restoreWorkspace(evil, into, store)).rejects.toMatchObject({ code: 'path_escape' });
    expect(() => statSync(join(into, '..', 'escaped.txt'))).toThrow();
  });

  it('reports a missing blob as a typed error', async () => {
    const source = repo({ 'a.txt': 'a\n' });
    const manifest = await captureWorkspace(source.dir, {}, new MemoryStore());
    await expect(restoreWorkspace(manifest, scratchDir(), new MemoryStore())).rejects.toMatchObject({
      code: 'blob_missing',
    });
  });
});
