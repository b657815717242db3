import { expect, it } from 'vitest';
import { LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { verifyChain } from '../../core/events.js';
import type { RunStore } from '../../store/run-store.js';
import { waitFor } from '../wait-for.js';
import { createRun, createSession } from './fixtures.js';

function steps(from: number, count: number): EventDraft[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'step.started',
    data: { step: from + index },
  }));
}

/** The event log: gapless seq, the hash chain, fenced and atomic appends, reads and subscriptions. */
export function eventContract(store: () => RunStore): void {
  it('assigns gapless seq from 0 per session and a valid hash chain', async () => {
    const one = await createSession(store());
    const two = await createSession(store());
    const run = await createRun(store(), one.id);
    const first = await store().append(one.id, steps(0, 2), { runId: run.id });
    const second = await store().append(one.id, steps(2, 3), { runId: run.id });
    const other = await store().append(two.id, steps(0, 1), { runId: (await createRun(store(), two.id)).id });
    expect([...first, ...second].map((event) => event.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(other.map((event) => event.seq)).toEqual([0]);
    const log = await store().readEvents(one.id);
    expect(log).toEqual([...first, ...second]);
    expect(verifyChain(log)).toMatchObject({ ok: true, count: 5, head: second.at(-1)?.hash });
    expect(log[0]).toMatchObject({
      sessionId: one.id,
      runId: run.id,
      type: 'step.started',
      data: { step: 0 },
    });
    expect(Number.isNaN(Date.parse(log[0]?.ts ?? ''))).toBe(false);
  });

  it('round-trips event data exactly', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const data = {
      role: 'assistant' as const,
      text: 'héllo 🌍 "quoted" \\ \n line',
      toolCalls: [
        { toolCallId: 'c1', name: 'echo', input: { deep: { list: [1, 2.5, -3, true, null, 'x'] } } },
      ],
      finishReason: 'tool_calls' as const,
      usage: { inputTokens: 3, outputTokens: 4 },
    };
    await store().append(session.id, [{ type: 'message.completed', data }], { runId: run.id });
    const [event] = await store().readEvents(session.id);
    expect(event?.data).toEqual(data);
    expect(verifyChain([event as BatonEvent]).ok).toBe(true);
  });

  it('applies run and session patches in the same commit as the events', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    await store().append(session.id, steps(0, 1), {
      runId: run.id,
      runPatch: { status: 'waiting', usage: { inputTokens: 7, outputTokens: 2 } },
      sessionPatch: { status: 'waiting', context: { saved: true } },
    });
    expect(await store().getRun(run.id)).toMatchObject({
      status: 'waiting',
      usage: { inputTokens: 7, outputTokens: 2 },
    });
    expect(await store().getSession(session.id)).toMatchObject({
      status: 'waiting',
      context: { saved: true },
    });
  });

  it('hands each append caller its own copy of the events it committed', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const [event] = await store().append(
      session.id,
      [
        {
          type: 'tool.result',
          data: { toolCallId: 'c1', name: 'n', ok: true, output: { list: [1] }, durationMs: 1 },
        },
      ],
      { runId: run.id },
    );
    const data = event?.data as { output: { list: number[] } } | undefined;
    data?.output.list.push(2);
    const [stored] = await store().readEvents(session.id);
    expect(stored?.data).toMatchObject({ output: { list: [1] } });
  });

  it("answers a step boundary with the head and the run's cancel flag, when it offers one", async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const boundary = store().stepBoundary?.bind(store());
    if (boundary === undefined) return;
    expect(await boundary(session.id, run.id)).toEqual({ head: undefined, cancelRequested: false });
    const [event] = await store().append(session.id, steps(0, 1), { runId: run.id });
    await store().updateRun(run.id, { cancelRequested: true });
    expect(await boundary(session.id, run.id)).toEqual({
      head: { seq: 0, hash: event?.hash },
      cancelRequested: true,
    });
  });

  it('rejects a fenced append with a stale lease token and writes nothing', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000, { runId: run.id });
    const token = claim?.lease.token ?? '';
    await store().append(session.id, steps(0, 1), { runId: run.id, fence: { runId: run.id, token } });
    await expect(
      store().append(session.id, steps(1, 2), {
        runId: run.id,
        fence: { runId: run.id, token: 'stale-token' },
        runPatch: { status: 'failed' },
        sessionPatch: { status: 'failed' },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store().readEvents(session.id)).map((event) => event.seq)).toEqual([0]);
    expect((await store().getRun(run.id))?.status).toBe('running');
    expect((await store().getSession(session.id))?.status).toBe('running');
  });

  it('checks a fence on another run than the appending one against that run’s lease', async () => {
    const session = await createSession(store());
    const appending = await createRun(store(), session.id);
    const fenced = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000, { runId: fenced.id });
    const token = claim?.lease.token ?? '';
    await store().append(session.id, steps(0, 1), {
      runId: appending.id,
      fence: { runId: fenced.id, token },
    });
    await expect(
      store().append(session.id, steps(1, 1), {
        runId: appending.id,
        fence: { runId: fenced.id, token: 'stale-token' },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store().readEvents(session.id)).map((event) => event.seq)).toEqual([0]);
  });

  it('refuses to append to a session that does not exist', async () => {
    await expect(store().append('ses_missing', steps(0, 1), { runId: 'run_x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('keeps seq gapless and the chain valid under many concurrent appends to one session', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000, { runId: run.id });
    const fence = { runId: run.id, token: claim?.lease.token ?? '' };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        store().append(session.id, steps(index * 2, 2), { runId: run.id, fence }),
      ),
    );
    for (const batch of results) expect(batch[1]?.seq).toBe((batch[0]?.seq ?? -1) + 1);
    const log = await store().readEvents(session.id);
    expect(log.map((event) => event.seq)).toEqual(Array.from({ length: 80 }, (_, index) => index));
    expect(verifyChain(log)).toMatchObject({ ok: true, count: 80 });
  });

  it('reads events from a seq, up to a limit, filtered by type, and reports the head', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    expect(await store().head(session.id)).toBeUndefined();
    expect(await store().readEvents(session.id)).toEqual([]);
    const drafts: EventDraft[] = [
      { type: 'step.started', data: { step: 0 } },
      { type: 'message.received', data: { role: 'user', text: 'hi' } },
      { type: 'step.completed', data: { step: 0 } },
      { type: 'message.received', data: { role: 'user', text: 'again' } },
      { type: 'step.started', data: { step: 1 } },
    ];
    const events = await store().append(session.id, drafts, { runId: run.id });
    expect((await store().readEvents(session.id, { from: 2 })).map((event) => event.seq)).toEqual([2, 3, 4]);
    expect((await store().readEvents(session.id, { from: 1, limit: 2 })).map((event) => event.seq)).toEqual([
      1, 2,
    ]);
    const received = await store().readEvents(session.id, { types: ['message.received'] });
    expect(received.map((event) => event.seq)).toEqual([1, 3]);
    const later = await store().readEvents(session.id, {
      from: 2,
      types: ['message.received', 'step.started'],
    });
    expect(later.map((event) => event.seq)).toEqual([3, 4]);
    expect(await store().readEvents(session.id, { from: 5 })).toEqual([]);
    expect(await store().head(session.id)).toEqual({ seq: 4, hash: events[4]?.hash });
  });

  it('delivers committed events to subscribers in order, per session and for every session', async () => {
    const one = await createSession(store());
    const two = await createSession(store());
    const runOne = await createRun(store(), one.id);
    const runTwo = await createRun(store(), two.id);
    const ofOne: BatonEvent[] = [];
    const ofAll: BatonEvent[] = [];
    const unsubscribeOne = store().subscribe(one.id, (event) => ofOne.push(event));
    const unsubscribeAll = store().subscribe('*', (event) => ofAll.push(event));
    try {
      await store().append(one.id, steps(0, 2), { runId: runOne.id });
      await store().append(two.id, steps(0, 1), { runId: runTwo.id });
      await store().append(one.id, steps(2, 1), { runId: runOne.id });
      await waitFor(() => ofOne.length >= 3 && ofAll.length >= 4, {
        timeoutMs: 5_000,
        message: 'subscribed events',
      });
      expect(ofOne).toEqual(await store().readEvents(one.id));
      expect(ofAll.map((event) => [event.sessionId, event.seq])).toEqual([
        [one.id, 0],
        [one.id, 1],
        [two.id, 0],
        [one.id, 2],
      ]);
    } finally {
      unsubscribeOne();
      unsubscribeAll();
    }
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const stopped: BatonEvent[] = [];
    const still: BatonEvent[] = [];
    const unsubscribe = store().subscribe(session.id, (event) => stopped.push(event));
    const unsubscribeStill = store().subscribe(session.id, (event) => still.push(event));
    try {
      await store().append(session.id, steps(0, 1), { runId: run.id });
      await waitFor(() => stopped.length === 1 && still.length === 1, {
        timeoutMs: 5_000,
        message: 'the first event',
      });
      unsubscribe();
      unsubscribe();
      await store().append(session.id, steps(1, 1), { runId: run.id });
      await waitFor(() => still.length === 2, { timeoutMs: 5_000, message: 'the second event' });
      expect(stopped.map((event) => event.seq)).toEqual([0]);
    } finally {
      unsubscribeStill();
    }
  });
}
