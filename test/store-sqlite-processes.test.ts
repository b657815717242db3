import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/core/events.js';
import type { BatonEvent, Store } from '../src/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';

const STORE_MODULE = pathToFileURL(join(REPO_ROOT, 'src', 'store', 'sqlite', 'sqlite-store.ts')).href;

/** Runs a TypeScript module body in a child `node --import tsx` process and returns its stdout. */
async function runChild(directory: string, body: string, args: string[]): Promise<string> {
  const script = join(directory, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(script, `import { SqliteStore } from ${JSON.stringify(STORE_MODULE)};\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await collectProcess(child);
  if (result.code !== 0) throw new Error(`child exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Waits for events written by other processes (generous deadline: the suite shares two cores). */
function waitForEvents(condition: () => boolean, what: string): Promise<boolean> {
  return waitFor(condition, { timeoutMs: 20_000, intervalMs: 10, message: what });
}

async function seedSession(store: Store, id: string): Promise<void> {
  await store.createSession({ id, agent: 'a', context: {}, auth: {}, tokenHash: `hash-${id}` });
  await store.createRun({
    id: `run-${id}`,
    sessionId: id,
    agent: 'a',
    kind: 'message',
    input: {},
    idempotencyKey: null,
  });
}

describe('SqliteStore shared by several connections and processes', () => {
  let directory: string;
  let path: string;
  const stores: SqliteStore[] = [];

  function open(): SqliteStore {
    const store = new SqliteStore(path);
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-sqlite-procs-'));
    path = join(directory, 'baton.db');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  it("delivers one connection's commits to another connection's subscribers, once each and in order", async () => {
    const writer = open();
    const reader = open();
    await seedSession(writer, 'ses_1');
    await seedSession(writer, 'ses_2');
    const ofOne: BatonEvent[] = [];
    const ofAll: BatonEvent[] = [];
    const unsubscribeOne = reader.subscribe('ses_1', (event) => ofOne.push(event));
    const unsubscribeAll = reader.subscribe('*', (event) => ofAll.push(event));
    for (let step = 0; step < 5; step += 1) {
      await writer.append('ses_1', [{ type: 'step.started', data: { step } }], { runId: 'run-ses_1' });
      await writer.append('ses_2', [{ type: 'step.started', data: { step } }], { runId: 'run-ses_2' });
      // The reader's own commits interleave with the writer's; each event still arrives once.
      await reader.append('ses_1', [{ type: 'step.completed', data: { step } }], { runId: 'run-ses_1' });
    }
    await waitForEvents(() => ofAll.length === 15, 'all 15 events');
    expect(ofOne).toEqual(await reader.readEvents('ses_1'));
    expect(ofOne.map((event) => event.seq)).toEqual(Array.from({ length: 10 }, (_, index) => index));
    expect(ofAll.filter((event) => event.sessionId === 'ses_2').map((event) => event.seq)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    unsubscribeOne();
    unsubscribeAll();
    await writer.append('ses_1', [{ type: 'step.started', data: { step: 9 } }], { runId: 'run-ses_1' });
    const probe: BatonEvent[] = [];
    const unsubscribeProbe = reader.subscribe('ses_1', (event) => probe.push(event));
    await writer.append('ses_1', [{ type: 'step.completed', data: { step: 9 } }], { runId: 'run-ses_1' });
    await waitForEvents(() => probe.length === 1, 'the probe event');
    unsubscribeProbe();
    expect(ofAll).toHaveLength(15);
  });

  it('streams the events a separate process appends while this process appends to the same session', async () => {
    const store = open();
    await seedSession(store, 'ses_shared');
    const seen: BatonEvent[] = [];
    const unsubscribe = store.subscribe('ses_shared', (event) => seen.push(event));
    const child = runChild(
      directory,
      `const store = new SqliteStore(process.argv[2]);
       for (let step = 0; step < 30; step += 1) {
         await store.append('ses_shared', [{ type: 'step.started', data: { step } }, { type: 'step.completed', data: { step } }], { runId: 'run-ses_shared' });
         await new Promise((resolve) => setTimeout(resolve, 2));
       }
       await store.close();`,
      [path],
    );
    for (let index = 0; index < 30; index += 1) {
      await store.append(
        'ses_shared',
        [{ type: 'message.received', data: { role: 'user', text: `m${index}` } }],
        {
          runId: 'run-ses_shared',
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await child;
    await waitForEvents(() => seen.length === 90, 'all 90 events');
    unsubscribe();
    const log = await store.readEvents('ses_shared');
    expect(verifyChain(log)).toMatchObject({ ok: true, count: 90 });
    expect(seen).toEqual(log);
  });

  it('never hands one run to claimers in two processes', async () => {
    const store = open();
    await store.createSession({ id: 'ses_claims', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
    const runIds: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const { run } = await store.createRun({
        id: `run_${String(index).padStart(3, '0')}`,
        sessionId: 'ses_claims',
        agent: 'a',
        kind: 'message',
        input: {},
        idempotencyKey: null,
      });
      runIds.push(run.id);
    }
    // Both children start claiming at the same agreed instant, after their (slow) start-up.
    const startAt = String(Date.now() + 3_000);
    const claimLoop = `const claimed = [];
       await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(process.argv[4]) - Date.now())));
       for (;;) {
         const claim = await store.claimRun(process.argv[3], 60_000);
         if (!claim) break;
         claimed.push(claim.run.id);
         await new Promise((resolve) => setTimeout(resolve, 2));
       }
       await store.close();
       process.stdout.write(JSON.stringify(claimed));`;
    const outputs = await Promise.all([
      runChild(directory, `const store = new SqliteStore(process.argv[2]);\n${claimLoop}`, [
        path,
        'child-a',
        startAt,
      ]),
      runChild(directory, `const store = new SqliteStore(process.argv[2]);\n${claimLoop}`, [
        path,
        'child-b',
        startAt,
      ]),
    ]);
    const claimed = outputs.flatMap((output) => JSON.parse(output) as string[]);
    expect([...claimed].sort()).toEqual(runIds);
  });
});
