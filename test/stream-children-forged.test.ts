import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.js';
import { lifecyclePatches } from '../src/runtime/run-patches.js';
import { readNdjson, startTestServer, type TestServer } from './helpers/http-server.js';

// `?children=1` follows a `subagent.started` only into a session that really is that session's
// child (its recorded parent): a forged or stale event (a buggy runner, a hand-edited log)
// names another session, or none, and must neither leak its events nor break the stream.

describe('the children=1 stream against forged subagent.started events', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ workers: 0 });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const session = async (id: string, parentSessionId?: string) => {
    await server.store.startSession({
      session: {
        id,
        agent: 'echo',
        context: {},
        auth: {},
        tokenHash: `hash_${id}`,
        ...(parentSessionId !== undefined && { parentSessionId }),
      },
      events: [{ type: 'message.received', data: { role: 'user', text: `secret of ${id}` } }],
      run: { id: `run_${id}`, sessionId: id, agent: 'echo', kind: 'agent', input: {}, idempotencyKey: null },
    });
    // Settled, so that a stream without follow ends after the log.
    const cancelled = { type: 'run.cancelled' as const, data: {} };
    await server.store.append(id, [cancelled], {
      runId: `run_${id}`,
      ...lifecyclePatches(cancelled, new Date().toISOString()),
    });
  };

  it('streams a real child, and neither an unrelated session nor a missing one', async () => {
    await session('ses_parent');
    await session('ses_child', 'ses_parent');
    await session('ses_victim');
    const started = (childSessionId: string, toolCallId: string) => ({
      type: 'subagent.started' as const,
      data: { childSessionId, agent: 'echo', toolCallId },
    });
    await server.store.append(
      'ses_parent',
      [started('ses_victim', 'call_1'), started('ses_missing', 'call_2'), started('ses_child', 'call_3')],
      { runId: 'run_ses_parent' },
    );
    const response = await fetch(`${server.url}/v1/sessions/ses_parent/stream?children=1`);
    expect(response.status).toBe(200);
    const frames = await readNdjson(response);
    const text = JSON.stringify(frames);
    expect(text).not.toContain('secret of ses_victim');
    expect(text).toContain('secret of ses_child');
    expect(frames.some((frame) => frame.type === 'stream.error' || 'error' in frame)).toBe(false);
    expect(frames.filter((frame) => frame.childSessionId === undefined)).toHaveLength(5);
  }, 60_000);
});

describe('approvals from below against forged subagent.started events', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ workers: 0 });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('a session naming itself, an unrelated session or none as its child still answers, with its own gates', async () => {
    for (const id of ['ses_loop', 'ses_other'])
      await server.store.startSession({
        session: { id, agent: 'echo', context: {}, auth: {}, tokenHash: `hash_${id}` },
        events: [],
        run: {
          id: `run_${id}`,
          sessionId: id,
          agent: 'echo',
          kind: 'agent',
          input: {},
          idempotencyKey: null,
        },
      });
    await server.store.append(
      'ses_other',
      [
        {
          type: 'approval.requested',
          data: {
            approvalId: 'apr_other',
            toolCallId: 'call_other',
            name: 'refund',
            input: {},
            inputHash: 'h',
            agent: 'echo',
            requestedAt: new Date().toISOString(),
            runPath: [],
          },
        },
      ],
      { runId: 'run_ses_other' },
    );
    await server.store.append(
      'ses_loop',
      ['ses_loop', 'ses_other', 'ses_missing'].map((childSessionId, index) => ({
        type: 'subagent.started' as const,
        data: { childSessionId, agent: 'echo', toolCallId: `call_${index}` },
      })),
      { runId: 'run_ses_loop' },
    );
    const response = await fetch(`${server.url}/v1/sessions/ses_loop`);
    const body = (await response.json()) as { pendingApprovals?: unknown[] };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.pendingApprovals).toEqual([]);
  }, 60_000);

  it('executes the tree of a run whose log names its own session as a child without looping', async () => {
    await server.store.startSession({
      session: { id: 'ses_self', agent: 'echo', context: {}, auth: {}, tokenHash: 'hash_ses_self' },
      events: [],
      run: {
        id: 'run_self',
        sessionId: 'ses_self',
        agent: 'echo',
        kind: 'agent',
        input: {},
        idempotencyKey: null,
      },
    });
    const cancelled: EventDraft = { type: 'run.cancelled', data: {} };
    const started: EventDraft = {
      type: 'subagent.started',
      data: { childSessionId: 'ses_self', agent: 'echo', toolCallId: 'c' },
    };
    await server.store.append('ses_self', [started, cancelled], {
      runId: 'run_self',
      ...lifecyclePatches(cancelled, new Date().toISOString()),
    });
    expect((await server.runtime.executeTree('run_self')).status).toBe('cancelled');
  }, 60_000);
});
