import { existsSync, lstatSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueReceipt } from '../src/governed/issue.js';
import { pullRun } from '../src/governed/pull.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { execInProcess, tempKeys } from './helpers/governed.js';

describe('baton pull checks before it touches anything (finding 6)', () => {
  let outside = '';
  let repo: TempRepo;
  let store: SqliteStore;
  let db = '';
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeEach(async () => {
    outside = outsideTmpDir('baton-pull-safety-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    db = join(outside, 'baton.db');
    store = new SqliteStore(db);
    home = await tempKeys(outside);
  });
  afterEach(async () => {
    await store.close();
    rmSync(outside, { recursive: true, force: true });
  });
  const exec = (script: string) =>
    execInProcess(store, { dir: repo.dir, command: ['sh', '-c', script], keys: home.keys });
  const status = () => repo.git('status', '--porcelain', '--untracked-files=all');

  for (const [name, script] of [
    ['the root directory', 'ln -s / rootlink'],
    ['a file outside the repository', 'ln -s /etc/passwd passwd'],
    ['a path that climbs above the root', 'mkdir -p sub && ln -s ../../.. sub/up'],
    ['the repository .git', 'ln -s .git/config cfg'],
  ] as const) {
    it(`refuses a patch adding a symlink to ${name}, unless --allow-outside-symlinks`, async () => {
      const runId = await exec(`${script} && echo x > also.txt`);
      const before = status();
      await expect(pullRun(store, runId, { dir: repo.dir })).rejects.toMatchObject({
        code: 'unsafe_symlink',
      });
      await expect(pullRun(store, runId, { dir: repo.dir, branch: true })).rejects.toMatchObject({
        code: 'unsafe_symlink',
      });
      expect(status()).toBe(before);
      expect(existsSync(join(repo.dir, 'also.txt'))).toBe(false);
      expect(repo.git('branch', '--list', 'baton/*')).toBe('');
      const allowed = await pullRun(store, runId, { dir: repo.dir, allowOutsideSymlinks: true });
      expect(allowed.mode).toBe('applied');
      expect(existsSync(join(repo.dir, 'also.txt'))).toBe(true);
    });
  }

  it('applies a symlink that stays inside the repository, and shows the summary first', async () => {
    const runId = await exec('ln -s a.txt alias && echo two >> a.txt');
    const overviews: unknown[] = [];
    const result = await pullRun(store, runId, {
      dir: repo.dir,
      onOverview: (overview) => overviews.push(overview),
    });
    expect(result.mode).toBe('applied');
    expect(overviews).toEqual([
      expect.objectContaining({
        files: 2,
        insertions: 2,
        deletions: 0,
        symlinks: [{ path: 'alias', target: 'a.txt' }],
      }),
    ]);
    expect(lstatSync(join(repo.dir, 'alias')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(repo.dir, 'alias'))).toBe('a.txt');
  });

  it('refuses a patch blob substituted in the store (the log chain then breaks), applying nothing', async () => {
    const runId = await exec('echo honest > new.txt');
    const forged = Buffer.from(
      'diff --git a/evil.txt b/evil.txt\nnew file mode 100644\n--- /dev/null\n+++ b/evil.txt\n@@ -0,0 +1 @@\n+evil\n',
    );
    const forgedHash = await store.putBlob(forged);
    const raw = new Database(db);
    try {
      const row = raw
        .prepare("SELECT pos, data FROM events WHERE type = 'workspace.patch' AND run_id = ?")
        .get(runId) as {
        pos: number;
        data: string;
      };
      const data = { ...JSON.parse(row.data), patchHash: forgedHash };
      raw.prepare('UPDATE events SET data = ? WHERE pos = ?').run(JSON.stringify(data), row.pos);
    } finally {
      raw.close();
    }
    const before = status();
    await expect(pullRun(store, runId, { dir: repo.dir })).rejects.toMatchObject({ code: 'patch_untrusted' });
    expect(status()).toBe(before);
    expect(existsSync(join(repo.dir, 'evil.txt'))).toBe(false);
  });

  it('refuses a patch whose bytes no longer match what the receipt pins', async () => {
    const runId = await exec('echo honest > new.txt');
    await issueReceipt(store, runId, home.keys);
    const raw = new Database(db);
    try {
      const patchEvent = raw
        .prepare("SELECT data FROM events WHERE type = 'workspace.patch' AND run_id = ?")
        .get(runId) as {
        data: string;
      };
      const { patchHash } = JSON.parse(patchEvent.data) as { patchHash: string };
      raw.prepare('UPDATE blobs SET bytes = ? WHERE hash = ?').run(Buffer.from('tampered\n'), patchHash);
    } finally {
      raw.close();
    }
    await expect(pullRun(store, runId, { dir: repo.dir })).rejects.toMatchObject({ code: 'patch_untrusted' });
    expect(existsSync(join(repo.dir, 'new.txt'))).toBe(false);
  });

  it('still pulls a run whose log and receipt are intact', async () => {
    const runId = await exec('echo honest > new.txt');
    await issueReceipt(store, runId, home.keys);
    expect((await pullRun(store, runId, { dir: repo.dir })).mode).toBe('applied');
    expect(existsSync(join(repo.dir, 'new.txt'))).toBe(true);
  });
});
