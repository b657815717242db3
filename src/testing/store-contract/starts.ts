import { expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { AppendConflictError } from '../../store/append-conflict.js';
import type { NewSessionStart, RunStore } from '../../store/run-store.js';
import { createRun, createSession } from './fixtures.js';

function start(key: string | null): NewSessionStart {
  const sessionId = newId('ses');
  const runId = newId('run');
  return {
    session: { id: sessionId, agent: 'agent', context: {}, auth: {}, tokenHash: `hash-${sessionId}` },
    events: [
      { type: 'session.started', data: { agent: 'agent' } },
      { type: 'message.received', data: { role: 'user', text: 'hello' } },
    ],
    run: {
      id: runId,
      sessionId,
      agent: 'agent',
      kind: 'message',
      input: { message: 'hello' },
      idempotencyKey: key,
      agentModule: '/agents/agent.ts',
    },
  };
}

/** Atomic starts, the chain head on the session, and conditional appends (compare-and-append). */
export function startContract(store: () => RunStore): void {
  it('starts a session with its first events and queued run in one step', async () => {
    const input = start(null);
    const { run, created } = await store().startSession(input);
    expect(created).toBe(true);
    expect(run).toMatchObject({
      id: input.run.id,
      status: 'queued',
      agentModule: '/agents/agent.ts',
      activeMs: 0,
    });
    expect(await store().getRun(run.id)).toEqual(run);
    const events = await store().readEvents(input.session.id);
    expect(events.map((event) => [event.seq, event.type, event.runId])).toEqual([
      [0, 'session.started', run.id],
      [1, 'message.received', run.id],
    ]);
    const session = await store().getSession(input.session.id);
    // A session is running from the moment its run is queued.
    expect(session).toMatchObject({ status: 'running', headSeq: 1, headHash: events[1]?.hash });
    expect(await store().head(input.session.id)).toEqual({ seq: 1, hash: events[1]?.hash });
  });

  it('writes nothing for a start whose idempotency key is taken, even when twenty race', async () => {
    const first = await store().startSession(start('key-1'));
    const again = await store().startSession(start('key-1'));
    expect(again).toEqual({ run: first.run, created: false });
    const racing = await Promise.all(Array.from({ length: 20 }, () => store().startSession(start('key-2'))));
    expect(racing.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(racing.map((result) => result.run.id)).size).toBe(1);
    // No session without a run is left behind by the losers.
    const { items } = await store().listSessions({ limit: 100 });
    expect(items).toHaveLength(2);
  });

  it('marks a session running when a run is queued in it', async () => {
    const session = await createSession(store());
    expect(session.status).toBe('idle');
    await createRun(store(), session.id);
    expect((await store().getSession(session.id))?.status).toBe('running');
  });

  it('keeps the chain head on the session in step with every append', async () => {
    const session = await createSession(store());
    expect(session).toMatchObject({ headSeq: null, headHash: null });
    const run = await createRun(store(), session.id);
    const [, last] = await store().append(
      session.id,
      [
        { type: 'step.started', data: { step: 1 } },
        { type: 'step.completed', data: { step: 1 } },
      ],
      { runId: run.id },
    );
    expect(await store().getSession(session.id)).toMatchObject({ headSeq: 1, headHash: last?.hash });
  });

  it('appends only onto the expected head and otherwise writes nothing', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const step = { type: 'step.started' as const, data: { step: 1 } };
    await store().append(session.id, [step], { runId: run.id, expectedHeadSeq: null });
    await store().append(session.id, [step], { runId: run.id, expectedHeadSeq: 0 });
    const stale = store().append(session.id, [step], { runId: run.id, expectedHeadSeq: 0 });
    await expect(stale).rejects.toBeInstanceOf(AppendConflictError);
    await expect(stale).rejects.toMatchObject({ reason: 'head_moved' });
    expect((await store().readEvents(session.id)).map((event) => event.seq)).toEqual([0, 1]);
  });

  it('appends only while the run has a required status', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const message = { type: 'message.received' as const, data: { role: 'user' as const, text: 'hi' } };
    await store().append(session.id, [message], { runId: run.id, requireRunStatus: ['queued', 'running'] });
    await store().updateRun(run.id, { status: 'succeeded' });
    const late = store().append(session.id, [message], {
      runId: run.id,
      requireRunStatus: ['queued', 'running'],
    });
    await expect(late).rejects.toMatchObject({ reason: 'run_status' });
    expect(await store().readEvents(session.id)).toHaveLength(1);
  });

  it('queues the next run in the same commit as the events, or writes nothing when its key is taken', async () => {
    const session = await createSession(store());
    const first = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000, { runId: first.id });
    const next = (id: string) => ({
      id,
      sessionId: session.id,
      agent: 'agent',
      kind: 'message',
      input: {},
      idempotencyKey: `after:${first.id}`,
    });
    await store().append(
      session.id,
      [
        {
          type: 'run.completed',
          data: { status: 'succeeded', text: '', usage: { inputTokens: 0, outputTokens: 0 } },
        },
      ],
      {
        runId: first.id,
        fence: { runId: first.id, token: claim?.lease.token ?? '' },
        runPatch: { status: 'succeeded', lease: null },
        sessionPatch: { status: 'idle' },
        createRun: next('run_next'),
      },
    );
    expect(await store().getRun('run_next')).toMatchObject({ status: 'queued', sessionId: session.id });
    // The run queued after the terminal patch leaves the session running.
    expect((await store().getSession(session.id))?.status).toBe('running');
    const taken = store().append(
      session.id,
      [{ type: 'message.received', data: { role: 'user', text: 'x' } }],
      {
        runId: 'run_other',
        createRun: next('run_other'),
      },
    );
    await expect(taken).rejects.toMatchObject({ reason: 'run_exists' });
    expect(await store().getRun('run_other')).toBeUndefined();
    expect(await store().readEvents(session.id)).toHaveLength(1);
  });

  it('reads pages bounded by the bytes of their data, never empty', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const text = 'x'.repeat(1000);
    await store().append(
      session.id,
      Array.from({ length: 5 }, () => ({
        type: 'message.received' as const,
        data: { role: 'user' as const, text },
      })),
      { runId: run.id },
    );
    // Each event's data is a little over 1000 bytes of JSON.
    expect(await store().readEvents(session.id, { maxBytes: 2_500 })).toHaveLength(2);
    expect(await store().readEvents(session.id, { maxBytes: 10 })).toHaveLength(1);
    expect(await store().readEvents(session.id, { from: 3, maxBytes: 100_000 })).toHaveLength(2);
    expect(await store().readEvents(session.id, { limit: 1, maxBytes: 100_000 })).toHaveLength(1);
  });
}
