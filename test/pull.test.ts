import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { pullRun } from '../src/workspace/pull.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { execInProcess, tempKeys } from './helpers/governed.js';

describe('pullRun', () => {
  let repo: TempRepo;
  let store: MemoryStore;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeEach(async () => {
    repo = createTempRepo({ 'a.txt': 'one\n', 'b.txt': 'bee\n' });
    store = new MemoryStore();
    home = await tempKeys();
  });
  afterEach(() => {
    repo.remove();
    home.remove();
  });
  const exec = (script: string) =>
    execInProcess(store, { dir: repo.dir, command: ['sh', '-c', script], keys: home.keys });
  const snapshot = () => ({
    status: repo.git('status', '--porcelain', '--untracked-files=all'),
    staged: repo.git('diff', '--cached'),
    unstaged: repo.git('diff'),
    head: repo.git('rev-parse', 'HEAD'),
  });

  it('applies the patch in place when the tree is clean at the base ref', async () => {
    const runId = await exec('echo new > new.txt && echo changed > a.txt && rm b.txt');
    const result = await pullRun(store, runId, { dir: repo.dir });
    expect(result).toMatchObject({ mode: 'applied', runId });
    expect(readFileSync(join(repo.dir, 'new.txt'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).toBe('changed\n');
    expect(existsSync(join(repo.dir, 'b.txt'))).toBe(false);
  });

  it('applies only the change of the run in place when the dirty tree still equals the starting state', async () => {
    repo.write('a.txt', 'dirty\n');
    repo.git('add', 'a.txt');
    repo.write('b.txt', 'unstaged\n');
    const runId = await exec('echo new > new.txt');
    repo.write('later.txt', 'created after the run, never captured\n');
    const result = await pullRun(store, runId, { dir: repo.dir });
    expect(result).toMatchObject({ mode: 'applied', overview: { files: 1, insertions: 1, deletions: 0 } });
    expect(readFileSync(join(repo.dir, 'new.txt'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).toBe('dirty\n');
    expect(readFileSync(join(repo.dir, 'b.txt'), 'utf8')).toBe('unstaged\n');
  });

  it('creates baton/<runId> (starting state, then the run) without touching the tree when it changed since the run', async () => {
    repo.write('a.txt', 'dirty\n');
    repo.git('add', 'a.txt');
    repo.write('b.txt', 'unstaged\n');
    const runId = await exec('echo new > new.txt && echo changed > b.txt');
    repo.write('b.txt', 'edited after the run\n');
    const before = snapshot();
    const result = await pullRun(store, runId, { dir: repo.dir });
    expect(result).toMatchObject({
      mode: 'branch',
      branch: `baton/${runId}`,
      startCommit: expect.any(String),
    });
    expect(snapshot()).toEqual(before);
    const branch = `baton/${runId}`;
    expect(repo.git('show', `${branch}:new.txt`)).toBe('new');
    expect(repo.git('show', `${branch}:b.txt`)).toBe('changed');
    expect(repo.git('show', `${branch}^:a.txt`)).toBe('dirty');
    expect(repo.git('show', `${branch}^:b.txt`)).toBe('unstaged');
    expect(repo.git('diff', '--name-only', `${branch}^`, branch)).toBe('b.txt\nnew.txt');
    expect(repo.git('rev-parse', `${branch}~2`)).toBe(before.head);
    expect(repo.git('log', '-1', '--format=%B', branch)).toContain(`Baton-Run: ${runId}`);
  });

  it('gives the branch only the commit of the run when the run started from a clean tree', async () => {
    const runId = await exec('echo new > new.txt');
    const result = await pullRun(store, runId, { dir: repo.dir, branch: true });
    expect(result).toMatchObject({ mode: 'branch', startCommit: null });
    expect(repo.git('rev-parse', `baton/${runId}^`)).toBe(repo.git('rev-parse', 'HEAD'));
  });

  it('creates the branch from the base ref with --branch even when the tree is clean', async () => {
    const runId = await exec('echo new > new.txt');
    const before = snapshot();
    expect(await pullRun(store, runId, { dir: repo.dir, branch: true })).toMatchObject({ mode: 'branch' });
    expect(snapshot()).toEqual(before);
    expect(existsSync(join(repo.dir, 'new.txt'))).toBe(false);
  });

  it('uses the base ref when HEAD has moved on since the run', async () => {
    const base = repo.git('rev-parse', 'HEAD');
    const runId = await exec('echo new > new.txt');
    repo.write('c.txt', 'next commit\n');
    repo.commitAll('moved on');
    const result = await pullRun(store, runId, { dir: repo.dir });
    expect(result).toMatchObject({ mode: 'branch', baseRef: base });
    expect(repo.git('rev-parse', `baton/${runId}^`)).toBe(base);
  });

  it('refuses a patch that does not apply and changes nothing', async () => {
    const runId = await exec('echo changed > a.txt && echo new > new.txt');
    repo.write('new.txt', 'an untracked file in the way\n');
    const before = snapshot();
    await expect(pullRun(store, runId, { dir: repo.dir })).rejects.toMatchObject({
      code: 'patch_does_not_apply',
    });
    expect(snapshot()).toEqual(before);
    expect(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).toBe('one\n');
  });

  it('refuses to overwrite an existing baton branch', async () => {
    const runId = await exec('echo new > new.txt');
    await pullRun(store, runId, { dir: repo.dir, branch: true });
    await expect(pullRun(store, runId, { dir: repo.dir, branch: true })).rejects.toMatchObject({
      code: 'branch_exists',
    });
  });

  it('reports a run without changes, an unknown run and a foreign repository clearly', async () => {
    const unchanged = await exec('true');
    await expect(pullRun(store, unchanged, { dir: repo.dir })).rejects.toMatchObject({ code: 'empty_patch' });
    await expect(pullRun(store, 'run_missing', { dir: repo.dir })).rejects.toMatchObject({
      code: 'not_found',
    });
    const runId = await exec('echo new > new.txt');
    const foreign = createTempRepo({ 'z.txt': 'z\n' });
    try {
      await expect(pullRun(store, runId, { dir: foreign.dir })).rejects.toMatchObject({
        code: 'base_not_found',
      });
    } finally {
      foreign.remove();
    }
  });
});
