import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { issueReceipt, serializeEnvelope } from '../src/governed/issue.js';
import { verifyReceiptFile } from '../src/proof/verify.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { execInProcess, runWithEvents, tempKeys } from './helpers/governed.js';

const SECRET = 'sk-live-in-process-secret-5678';

describe('governed exec runs', () => {
  let repo: TempRepo;
  let store: MemoryStore;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  // Repository and Baton home live outside /tmp (the sandbox's private /tmp would hide them
  // anyway), and the commands may read their parent: only hiding keeps them out of view.
  let outside = '';
  beforeEach(async () => {
    outside = outsideTmpDir('baton-governed-');
    repo = createTempRepo({ 'a.txt': 'one\n', 'src/lib.ts': 'export const x = 1;\n' }, { parent: outside });
    store = new MemoryStore();
    home = await tempKeys(outside);
    // Readable by everyone, as many homes are: file permissions must not be what hides them.
    chmodSync(repo.dir, 0o755);
    chmodSync(home.home, 0o755);
  });
  afterEach(() => {
    rmSync(outside, { recursive: true, force: true });
  });
  const runEvents = async (runId: string): Promise<BatonEvent[]> =>
    (await runWithEvents(store, runId)).events;
  const exec = (command: string[]) =>
    execInProcess(store, {
      dir: repo.dir,
      command,
      keys: home.keys,
      batonHome: home.home,
      readPaths: [outside],
    });

  it('records the contract, the capture, the command and the patch as events of a durable run', async () => {
    const runId = await exec(['sh', '-c', 'echo out; echo hi > new.txt']);
    const types = (await runEvents(runId)).map((event) => event.type);
    expect(types).toEqual([
      'session.started',
      'contract.issued',
      'workspace.captured',
      'run.started',
      'sandbox.command',
      'workspace.patch',
      'run.completed',
    ]);
    const command = (await runEvents(runId)).find((event) => event.type === 'sandbox.command');
    expect(command?.data).toMatchObject({ exitCode: 0, timedOut: false, outputTail: 'out\n' });
    expect((await store.getRun(runId))?.status).toBe('succeeded');
  });

  it('fails the run with the exit code of a failing command and still issues a valid receipt', async () => {
    const runId = await exec(['sh', '-c', 'echo oops >&2; exit 3']);
    const run = await store.getRun(runId);
    expect(run?.status).toBe('failed');
    expect(run?.error).toEqual({ code: 'command_failed', message: 'the command exited with code 3' });
    const envelope = await issueReceipt(store, runId, home.keys);
    expect(envelope.receipt.status).toBe('failed');
    const verdict = await verifyReceiptFile(Buffer.from(serializeEnvelope(envelope)), { store });
    expect(verdict).toMatchObject({ valid: true, status: 'failed' });
  });

  it('never modifies the working tree, even when the command deletes everything', async () => {
    repo.write('a.txt', 'dirty\n');
    const before = repo.git('status', '--porcelain');
    const runId = await exec(['sh', '-c', 'rm -rf ./* && echo gone > a.txt']);
    expect((await store.getRun(runId))?.status).toBe('succeeded');
    expect(repo.git('status', '--porcelain')).toBe(before);
    expect(readFileSync(join(repo.dir, 'src/lib.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).toBe('dirty\n');
  });

  it('hides the source repository and the Baton home from the command, inside a readable parent', async () => {
    repo.write('.env', `API_KEY=${SECRET}\n`);
    const runId = await exec([
      'sh',
      '-c',
      `ls ${outside}; cat ${join(repo.dir, '.env')} .env; ls -A ${home.home} ${repo.dir}; true`,
    ]);
    const command = (await runEvents(runId)).find((event) => event.type === 'sandbox.command');
    // The parent is readable (the listing shows both), their contents are not.
    expect(command?.data.outputTail).toContain('baton-home-');
    expect(command?.data.outputTail).toContain('baton-repo-');
    expect(JSON.stringify(command?.data)).not.toContain(SECRET);
    expect(JSON.stringify(command?.data)).not.toContain('keys');
    expect(JSON.stringify(command?.data)).not.toContain('a.txt');
  });

  it('fails the run when the command times out', async () => {
    const runId = await execInProcess(store, {
      dir: repo.dir,
      command: ['sleep', '30'],
      keys: home.keys,
      timeoutMs: 200,
    });
    expect((await store.getRun(runId))?.error?.code).toBe('command_timed_out');
  });
});
