import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LeaseLostError } from '../src/core/errors.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import { AppendConflictError } from '../src/store/append-conflict.js';
import type { Fence, NewSessionStart } from '../src/store/run-store.js';
import type { Store } from '../src/store/store.js';
import { queriesSentDuring } from './helpers/postgres.js';
import { postgresStores } from './helpers/postgres-stores.js';

const stores = postgresStores('round_trips');
const openStore = (): Promise<Store> => stores.open();

/**
 * Statements `work` sent, counted on the driver as the bench does, but the background NOTIFY
 * (its own transaction, never awaited by an append).
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  return (await queriesSentDuring(work)).filter((text) => !text.includes('pg_notify'));
}

function newStart(): NewSessionStart {
  const sessionId = `ses_${randomBytes(6).toString('hex')}`;
  return {
    session: { id: sessionId, agent: 'agent', context: {}, auth: {}, tokenHash: sessionId },
    run: {
      id: `run_${randomBytes(6).toString('hex')}`,
      sessionId,
      agent: 'agent',
      kind: 'message',
      input: { text: 'hi' },
      idempotencyKey: null,
    },
    events: [
      { type: 'session.started', data: { agent: 'agent' } },
      { type: 'message.received', data: { role: 'user', text: 'hi' } },
    ],
  } as NewSessionStart;
}

/** A started session whose run `store` claimed. */
async function claimed(store: Store): Promise<{ sessionId: string; fence: Fence }> {
  const start = newStart();
  await store.startSession(start);
  const claim = await store.claimRun('worker', 60_000, { runId: start.run.id });
  if (!claim) throw new Error('the run was not claimed');
  return { sessionId: start.session.id, fence: { runId: start.run.id, token: claim.lease.token } };
}

const step = (index: number) => [{ type: 'step.started' as const, data: { step: index } }];

describe('postgres round trips', () => {
  it('starts a session in one statement, and the run’s first append after its claim reads no head', async () => {
    const store = await openStore();
    const start = newStart();
    expect(await statementsOf(() => store.startSession(start))).toHaveLength(1);
    const other = await openStore();
    const claim = await other.claimRun('worker', 60_000, { runId: start.run.id });
    if (!claim) throw new Error('the run was not claimed');
    const fence = { runId: start.run.id, token: claim.lease.token };
    const appended = await statementsOf(() =>
      other.append(start.session.id, step(0), { runId: fence.runId, fence }),
    );
    expect(appended).toHaveLength(1);
    expect((await store.readEvents(start.session.id)).map((event) => [event.seq, event.type])).toEqual([
      [0, 'session.started'],
      [1, 'message.received'],
      [2, 'step.started'],
    ]);
    expect(await store.getSession(start.session.id)).toMatchObject({ status: 'running' });
    expect(await store.getRun(start.run.id)).toMatchObject({
      status: 'running',
      sessionId: start.session.id,
    });
  });

  it('commits a conditional append in one statement, and refuses it like the locked path', async () => {
    const [worker, other] = [await openStore(), await openStore()];
    const { sessionId, fence } = await claimed(worker);
    const head = await worker.head(sessionId);
    const conditional = await statementsOf(() =>
      worker.append(sessionId, step(0), {
        runId: fence.runId,
        fence,
        expectedHeadSeq: head?.seq ?? null,
        requireRunStatus: ['running'],
      }),
    );
    expect(conditional).toHaveLength(1);

    // Another process appends: the worker's known head is stale, and its condition false.
    await other.append(sessionId, [{ type: 'message.received', data: { role: 'user', text: 'more' } }], {
      runId: fence.runId,
    });
    const stale = (head?.seq ?? 0) + 1;
    const moved = await worker
      .append(sessionId, step(1), { runId: fence.runId, fence, expectedHeadSeq: stale })
      .catch((error: unknown) => error);
    expect(moved).toBeInstanceOf(AppendConflictError);
    expect((moved as AppendConflictError).reason).toBe('head_moved');
    const wrongStatus = await worker
      .append(sessionId, step(1), { runId: fence.runId, fence, requireRunStatus: ['queued'] })
      .catch((error: unknown) => error);
    expect((wrongStatus as AppendConflictError).reason).toBe('run_status');
    // Without a condition the worker's append lands after the other process's, from the head
    // its missed statement saw (no extra read).
    const retried = await statementsOf(() =>
      worker.append(sessionId, step(1), { runId: fence.runId, fence }),
    );
    expect(retried).toHaveLength(1);
    expect((await other.readEvents(sessionId)).map((event) => event.type).slice(-3)).toEqual([
      'step.started',
      'message.received',
      'step.started',
    ]);
  });

  it('fences out the hand-back after its own commit ended the lease, without a statement', async () => {
    const [worker, other] = [await openStore(), await openStore()];
    const { sessionId, fence } = await claimed(worker);
    await worker.append(
      sessionId,
      [
        {
          type: 'run.completed',
          data: { status: 'succeeded', text: 'done', usage: { inputTokens: 0, outputTokens: 0 } },
        },
      ],
      {
        runId: fence.runId,
        fence,
        runPatch: { status: 'succeeded', lease: null },
      },
    );
    const handBack = await statementsOf(async () => {
      await expect(worker.updateRun(fence.runId, { activeMs: 5 }, fence)).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await worker.releaseLease(fence);
      expect(await worker.renewLease(fence, 60_000)).toBe(false);
    });
    expect(handBack).toEqual([]);
    // The database agrees: that token is gone, the run is as the commit left it.
    await expect(other.updateRun(fence.runId, { activeMs: 5 }, fence)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await other.renewLease(fence, 60_000)).toBe(false);
    expect(await other.getRun(fence.runId)).toMatchObject({ status: 'succeeded', lease: null, activeMs: 0 });
  });

  it('runs a short run (one tool step, one answer) reading its session and log with its claim and its run once after it ends', async () => {
    const store = await openStore();
    const runtime = createRuntime({ store, agents: [shortAgent()] });
    try {
      // The first run warms the statement cache; the second is the one counted.
      await runOnce(runtime);
      const statements = await statementsOf(() => runOnce(runtime));
      const reads = (table: string) =>
        statements.filter((text) => new RegExp(`^\\s*SELECT [^;]* FROM ${table} WHERE id = \\$1`).test(text));
      // The claim returns the run's session and its few events with it.
      expect(reads('sessions')).toHaveLength(0);
      expect(reads('runs')).toHaveLength(1);
      expect(statements.filter((text) => /FROM events\s+WHERE session_id = \$1/.test(text))).toEqual([]);
      // start, claim, run.started, two commits for the tool step, one for the answer with the
      // run's end, the run.
      expect(statements).toHaveLength(7);
    } finally {
      await runtime.close();
    }
  });

  it('a worker that ends a run does not read the run again', async () => {
    const store = await openStore();
    const runtime = createRuntime({ store, agents: [shortAgent()] });
    try {
      await runOnce(runtime);
      const { runId } = await runtime.start({ agent: 'short', message: 'go' });
      const statements = await statementsOf(
        () => runtime.startWorker({ concurrency: 1, pollIntervalMs: 10, untilIdle: true }).done,
      );
      expect((await runtime.getRun(runId)).status).toBe('succeeded');
      // The status it committed is the run's: only `execute`, which returns the record, reads it.
      expect(statements.filter((text) => /^\s*SELECT [^;]* FROM runs WHERE id = \$1/.test(text))).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});

function shortAgent() {
  let calls = 0;
  return defineAgent({
    name: 'short',
    instructions: 'one tool call, then answer',
    tools: [
      tool({
        name: 'noop',
        description: 'does nothing',
        inputSchema: z.object({}),
        idempotent: true,
        execute: () => ({ ok: true }),
      }),
    ],
    model: scriptedModel(() => {
      calls += 1;
      return calls % 2 === 1 ? { toolCalls: [{ name: 'noop', input: {} }] } : { text: 'done' };
    }),
  });
}

async function runOnce(runtime: ReturnType<typeof createRuntime>): Promise<void> {
  const { runId } = await runtime.start({ agent: 'short', message: 'go' });
  expect((await runtime.execute(runId)).status).toBe('succeeded');
}
