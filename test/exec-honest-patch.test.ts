import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { issueReceipt } from '../src/governed/issue.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { DEFAULT_SANDBOX_LIMITS } from '../src/workspace/sandbox/limits.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { execInProcess, tempKeys } from './helpers/governed.js';

describe('honest patches: the run records its own change only (finding 5)', () => {
  let outside = '';
  let repo: TempRepo;
  let store: MemoryStore;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeEach(async () => {
    outside = outsideTmpDir('baton-honest-');
    repo = createTempRepo({ 'a.txt': 'one\n', '.gitignore': 'node_modules/\n*.log\n' }, { parent: outside });
    store = new MemoryStore();
    home = await tempKeys(outside);
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  const exec = (
    script: string,
    extra: Parameters<typeof execInProcess>[1] extends infer O ? Partial<O> : never = {},
  ) => execInProcess(store, { dir: repo.dir, command: ['sh', '-c', script], keys: home.keys, ...extra });
  const patchOf = async (runId: string) => {
    const run = await store.getRun(runId);
    const events = (await store.readEvents(run?.sessionId ?? '')) as BatonEvent[];
    const event = events.find((item) => item.type === 'workspace.patch');
    const data = event?.type === 'workspace.patch' ? event.data : undefined;
    const text = data?.patchHash
      ? Buffer.from((await store.getBlob(data.patchHash)) ?? []).toString('utf8')
      : '';
    return { data, text, run };
  };

  it('leaves the uncommitted edits it started from out of the patch', async () => {
    repo.write('a.txt', 'one\ndirty\n');
    const { data, text } = await patchOf(await exec('echo hi > new.txt'));
    expect(data).toMatchObject({ files: 1, insertions: 1, deletions: 0 });
    expect(text).toContain('b/new.txt');
    expect(text).not.toContain('dirty');
  });

  it('keeps HOME (an npm cache) out of the checkout and the patch', async () => {
    const { data, run } = await patchOf(
      await exec(
        'mkdir -p "$HOME/.npm/_cacache" && head -c 100000 /dev/zero > "$HOME/.npm/_cacache/blob" && test -s "$HOME/.npm/_cacache/blob"',
      ),
    );
    expect(run?.status).toBe('succeeded');
    expect(data).toMatchObject({ patchHash: null, files: 0 });
  });

  it("leaves out paths the starting state's ignore rules ignore, even when the run rewrites .gitignore", async () => {
    const { text } = await patchOf(
      await exec(
        'mkdir node_modules && echo x > node_modules/pkg.js && echo log > debug.log && : > .gitignore && echo keep > kept.txt',
      ),
    );
    expect(text).toContain('b/kept.txt');
    expect(text).toContain('b/.gitignore');
    expect(text).not.toContain('node_modules/pkg.js');
    expect(text).not.toContain('debug.log');
  });

  it('never puts secret-pattern files the run created into the patch', async () => {
    const { data, text } = await patchOf(
      await exec(
        'echo TOKEN=x > .env.production && mkdir .ssh && echo k > .ssh/id_ed25519 && echo k > deploy.pem && echo ok > ok.txt',
      ),
    );
    expect(data?.files).toBe(1);
    expect(text).toContain('b/ok.txt');
    for (const name of ['.env.production', 'id_ed25519', 'deploy.pem']) expect(text).not.toContain(name);
  });

  it('fails a run whose patch exceeds the limit with patch_too_large, naming the largest files (finding 8)', async () => {
    const runId = await exec('head -c 3000 /dev/zero | tr "\\\\0" x > big.txt && echo small > small.txt', {
      limits: { patchBytes: 1000 },
    });
    const { data, run } = await patchOf(runId);
    expect(run?.status).toBe('failed');
    expect(run?.error?.code).toBe('patch_too_large');
    expect(run?.error?.message).toContain('big.txt (3000 bytes)');
    expect(data).toBeUndefined();
  });

  it('records the whole sandbox policy, defaults included, in the contract and the isolation in the receipt', async () => {
    const runId = await exec('true');
    const envelope = await issueReceipt(store, runId, home.keys);
    expect(envelope.contract.sandbox).toMatchObject({ sandbox: 'bwrap', limits: DEFAULT_SANDBOX_LIMITS });
    expect(envelope.contract.sandbox?.readPaths).toContain('/usr');
    expect(envelope.contract.sandbox?.hidePaths).toContain(repo.dir);
    expect(envelope.contract.sandbox?.runAs).toEqual(
      process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null,
    );
    expect(envelope.receipt.sandbox).toBe('bwrap');
    const unsandboxed = await exec('true', { sandbox: 'none' });
    const other = await issueReceipt(store, unsandboxed, home.keys);
    expect(other.contract.sandbox?.sandbox).toBe('none');
    expect(other.receipt.sandbox).toBe('none');
  });
});

describe('baton exec and pull --branch end to end (done-when)', () => {
  let outside = '';
  let repo: TempRepo;
  beforeEach(() => {
    outside = outsideTmpDir('baton-done-when-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('yields a one-file patch next to a dirty tracked file; the branch has the dirty edit, then new.txt alone', async () => {
    const db = join(outside, 'state', 'baton.db');
    repo.write('a.txt', 'one\nuncommitted\n');
    const exec = await runCli(['exec', '--db', db, '--json', '--', 'sh', '-c', 'echo hi > new.txt'], {
      cwd: repo.dir,
    });
    expect(exec.code).toBe(0);
    const output = JSON.parse(exec.stdout) as { runId: string; patch: { files: number } };
    expect(output.patch.files).toBe(1);
    const pulled = await runCli(['pull', output.runId, '--branch', '--db', db], { cwd: repo.dir });
    expect(pulled.code).toBe(0);
    const branch = `baton/${output.runId}`;
    expect(repo.git('diff', '--name-only', 'main', branch)).toBe('a.txt\nnew.txt');
    expect(repo.git('diff', 'main', `${branch}^`)).toContain('+uncommitted');
    expect(repo.git('diff', '--name-only', 'main', `${branch}^`)).toBe('a.txt');
    expect(repo.git('diff', '--name-only', `${branch}^`, branch)).toBe('new.txt');
    expect(repo.git('log', '--format=%s', `main..${branch}`).split('\n')).toHaveLength(2);
  }, 120_000);

  it('refuses a patch over --max-patch through the CLI', async () => {
    const db = join(outside, 'state', 'baton.db');
    const exec = await runCli(
      [
        'exec',
        '--db',
        db,
        '--max-patch',
        '1k',
        '--',
        'sh',
        '-c',
        'head -c 5000 /dev/zero | tr "\\\\0" y > big.txt',
      ],
      { cwd: repo.dir },
    );
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('big.txt (5000 bytes)');
  }, 120_000);
});
