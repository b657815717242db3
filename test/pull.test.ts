import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, hashCanonical, sha256Hex } from '../src/core/hash.js';
import { newId } from '../src/core/ids.js';
import { issueContract } from '../src/governed/issue.js';
import { pullRun } from '../src/governed/pull.js';
import type { Contract } from '../src/proof/statements.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { captureWorkspace } from '../src/workspace/capture.js';
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

describe('pullRun on a run recorded before patches were taken against the starting state', () => {
  it('applies its patch, which is against the base commit, dirty changes included', async () => {
    const repo = createTempRepo({ 'a.txt': 'one\n' });
    const store = new MemoryStore();
    const keys = await tempKeys();
    try {
      repo.write('a.txt', 'one\ndirty\n');
      const manifest = await captureWorkspace(repo.dir, {}, store);
      const manifestHash = await store.putBlob(Buffer.from(canonicalJson(manifest), 'utf8'));
      // A patch as the old capture made it: the dirty a.txt edit, the run's edit and new file together.
      repo.write('a.txt', 'one\ndirty\nrun\n');
      repo.write('new.txt', 'new\n');
      repo.git('add', '-A');
      const patch = Buffer.from(`${repo.git('diff', '--cached', '--binary', 'HEAD')}\n`);
      repo.git('reset', '--quiet');
      repo.write('a.txt', 'one\ndirty\n');
      rmSync(join(repo.dir, 'new.txt'));
      const patchHash = await store.putBlob(patch);
      const runId = newId('run');
      const contract: Contract = {
        version: 1,
        runId,
        issuedAt: new Date().toISOString(),
        requestedBy: { kind: 'cli', subject: 'test' },
        agent: 'exec',
        taskHash: hashCanonical({}),
        workspaceManifestHash: manifestHash,
        envelopeHash: hashCanonical({}),
        network: { mode: 'none', hosts: [] },
        secrets: { env: [], deniedPaths: [] },
        budget: { timeoutMs: null, maxOutputBytes: null, maxSteps: null, maxCostUsd: null },
        pool: 'local',
      };
      const session = await store.createSession({
        id: newId('ses'),
        agent: 'exec',
        context: {},
        auth: { initiator: { kind: 'cli', subject: 'test' }, current: { kind: 'cli', subject: 'test' } },
        tokenHash: sha256Hex('x'),
      });
      await store.append(
        session.id,
        [
          { type: 'session.started', data: { agent: 'exec' } },
          { type: 'contract.issued', data: await issueContract(store, keys.keys, contract) },
          { type: 'workspace.captured', data: { manifestHash, baseRef: manifest.baseRef, denied: [] } },
          { type: 'workspace.patch', data: { patchHash, files: 2, insertions: 2, deletions: 0 } },
        ],
        { runId },
      );
      await store.createRun({
        id: runId,
        sessionId: session.id,
        agent: 'exec',
        kind: 'exec',
        input: {},
        idempotencyKey: null,
      });
      const result = await pullRun(store, runId, { dir: repo.dir });
      expect(result).toMatchObject({ mode: 'branch', startCommit: null });
      const branch = `baton/${runId}`;
      expect(repo.git('show', `${branch}:a.txt`)).toBe('one\ndirty\nrun');
      expect(repo.git('show', `${branch}:new.txt`)).toBe('new');
      expect(repo.git('rev-parse', `${branch}^`)).toBe(manifest.baseRef);
    } finally {
      repo.remove();
      keys.remove();
    }
  });
});
