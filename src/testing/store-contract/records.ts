import { expect, it } from 'vitest';
import { ConflictError, LeaseLostError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { RunStore } from '../../store/run-store.js';
import { createRun, createSession, sleep } from './fixtures.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Sessions and runs: create, read, look up, page and patch. */
export function recordContract(store: () => RunStore): void {
  it('creates an idle session and reads it back by id and by token hash', async () => {
    const auth = { initiator: { kind: 'cli' as const, subject: 'me' } };
    const created = await store().createSession({
      id: 'ses_a',
      agent: 'helper',
      context: { nested: { list: [1, 'two', null] } },
      auth,
      tokenHash: 'a'.repeat(64),
    });
    expect(created).toMatchObject({
      id: 'ses_a',
      agent: 'helper',
      status: 'idle',
      auth,
      tokenHash: 'a'.repeat(64),
    });
    expect(created.createdAt).toMatch(ISO_DATE);
    expect(created.updatedAt).toBe(created.createdAt);
    expect(await store().getSession('ses_a')).toEqual(created);
    expect(await store().findSessionByTokenHash('a'.repeat(64))).toEqual(created);
    expect(await store().findSessionByTokenHash('b'.repeat(64))).toBeUndefined();
    expect(await store().getSession('ses_missing')).toBeUndefined();
  });

  it('keeps the trace context a run was created under, and gives a run without one a new trace', async () => {
    const session = await createSession(store());
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const base = { sessionId: session.id, agent: 'helper', kind: 'message', input: {}, idempotencyKey: null };
    const { run } = await store().createRun({ ...base, id: 'run_traced', traceparent });
    expect(run.traceparent).toBe(traceparent);
    expect((await store().getRun('run_traced'))?.traceparent).toBe(traceparent);
    const { run: fresh } = await store().createRun({ ...base, id: 'run_untraced' });
    expect((await store().getRun(fresh.id))?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('rejects a second session with the same id', async () => {
    const session = await createSession(store());
    await expect(
      store().createSession({ id: session.id, agent: 'x', context: {}, auth: {}, tokenHash: 'other' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('patches only the given session fields and bumps updatedAt', async () => {
    const session = await createSession(store());
    await sleep(2);
    await store().updateSession(session.id, { status: 'running', context: { topic: 'y', n: 1 } });
    const updated = await store().getSession(session.id);
    expect(updated).toMatchObject({ status: 'running', context: { topic: 'y', n: 1 }, agent: session.agent });
    expect(updated?.tokenHash).toBe(session.tokenHash);
    expect(updated && updated.updatedAt > session.updatedAt).toBe(true);
    await expect(store().updateSession('ses_missing', { status: 'idle' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('keeps a session checkpoint pointer and a run started attempt, set by patch and by append', async () => {
    const session = await createSession(store());
    expect(session.checkpoint).toBeNull();
    await store().updateSession(session.id, { checkpoint: { seq: 7, hash: 'a'.repeat(64) } });
    expect((await store().getSession(session.id))?.checkpoint).toEqual({ seq: 7, hash: 'a'.repeat(64) });
    await store().updateSession(session.id, { checkpoint: null });
    expect((await store().getSession(session.id))?.checkpoint).toBeNull();
    const run = await createRun(store(), session.id);
    expect(run.startedAttempt).toBe(0);
    await store().append(
      session.id,
      [{ type: 'run.started', data: { agent: 'a', attempt: 2, definitionHash: 'h' } }],
      { runId: run.id, runPatch: { startedAttempt: 2 } },
    );
    expect((await store().getRun(run.id))?.startedAttempt).toBe(2);
  });

  it('lists sessions newest first in pages that cover every session once', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push((await createSession(store())).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store().listSessions(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((session) => session.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([...ids].reverse());
    const exact = await store().listSessions({ limit: 7 });
    expect(exact.items).toHaveLength(7);
    expect(exact.nextCursor).toBeUndefined();
  });

  it('rejects a malformed cursor and a non-positive limit with a ValidationError', async () => {
    await expect(store().listSessions({ limit: 2, cursor: '%%not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(store().listRuns({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('creates a queued run at attempt 1 with empty usage and no lease', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    expect(run).toMatchObject({
      sessionId: session.id,
      agent: 'agent',
      status: 'queued',
      attempt: 1,
      kind: 'message',
      input: { message: 'hello' },
      definitionHash: null,
      idempotencyKey: null,
      lease: null,
      usage: { inputTokens: 0, outputTokens: 0 },
      result: null,
      error: null,
      cancelRequested: false,
      startedAt: null,
      finishedAt: null,
    });
    expect(run.createdAt).toMatch(ISO_DATE);
    expect(await store().getRun(run.id)).toEqual(run);
    expect(await store().getRun('run_missing')).toBeUndefined();
  });

  it('returns the existing run for a reused idempotency key instead of creating another', async () => {
    const session = await createSession(store());
    const first = await createRun(store(), session.id, 'key-1');
    const again = await store().createRun({
      id: 'run_other',
      sessionId: session.id,
      agent: 'agent',
      kind: 'message',
      input: { message: 'different' },
      idempotencyKey: 'key-1',
    });
    expect(again).toEqual({ run: first, created: false });
    expect(await store().getRun('run_other')).toBeUndefined();
    expect(await store().findRunByIdempotencyKey('key-1')).toEqual(first);
    expect(await store().findRunByIdempotencyKey('key-2')).toBeUndefined();
  });

  it('refuses a run for a session that does not exist', async () => {
    await expect(createRun(store(), 'ses_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists runs newest first, filtered by session and status, in pages', async () => {
    const one = await createSession(store());
    const two = await createSession(store());
    const a = await createRun(store(), one.id);
    const b = await createRun(store(), two.id);
    const c = await createRun(store(), one.id);
    await store().updateRun(c.id, { status: 'failed' });
    const all = await store().listRuns({ limit: 10 });
    expect(all.items.map((run) => run.id)).toEqual([c.id, b.id, a.id]);
    const ofOne = await store().listRuns({ sessionId: one.id, limit: 10 });
    expect(ofOne.items.map((run) => run.id)).toEqual([c.id, a.id]);
    const queued = await store().listRuns({ status: ['queued'], limit: 10 });
    expect(queued.items.map((run) => run.id)).toEqual([b.id, a.id]);
    const first = await store().listRuns({ sessionId: one.id, limit: 1 });
    expect(first.items.map((run) => run.id)).toEqual([c.id]);
    const cursor = first.nextCursor;
    expect(cursor).toBeDefined();
    const second = await store().listRuns({ sessionId: one.id, limit: 1, cursor: cursor ?? '' });
    expect(second.items.map((run) => run.id)).toEqual([a.id]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('applies a run patch and returns the updated run', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const finishedAt = new Date().toISOString();
    const updated = await store().updateRun(run.id, {
      status: 'succeeded',
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.25 },
      result: { text: 'done', items: [1, 2] },
      definitionHash: 'd'.repeat(64),
      finishedAt,
    });
    expect(updated).toMatchObject({
      status: 'succeeded',
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.25 },
      result: { text: 'done', items: [1, 2] },
      definitionHash: 'd'.repeat(64),
      finishedAt,
      attempt: 1,
    });
    expect(await store().getRun(run.id)).toEqual(updated);
    await expect(store().updateRun('run_missing', { status: 'failed' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('rejects a fenced run update with a stale lease token and changes nothing', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000);
    expect(claim?.run.id).toBe(run.id);
    await expect(
      store().updateRun(run.id, { status: 'failed' }, { runId: run.id, token: 'stale' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store().getRun(run.id))?.status).toBe('running');
    const token = claim?.lease.token ?? '';
    const updated = await store().updateRun(run.id, { attempt: 2 }, { runId: run.id, token });
    expect(updated.attempt).toBe(2);
  });
}
