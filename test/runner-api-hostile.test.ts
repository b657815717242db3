import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateId } from '../src/core/gates.js';
import { runnerKeyStatement } from '../src/governed/runner-plane.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { signStatement } from '../src/proof/signature.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { queuePoolRun } from './helpers/pool-run.js';

// A hostile or buggy runner of pool `default` against a real server over real SQLite: whatever
// it sends about a run it holds, the answer is a typed 4xx and the log keeps no malformed event.

describe('the runner API under hostile input', () => {
  let server: TestServer;
  let publicKey = '';
  let runs = 0;

  beforeAll(async () => {
    server = await startTestServer({ workers: 0 });
    const keys = await loadOrCreateKeys(server.dir);
    publicKey = keys.publicKeyHex;
    const registered = await post('/keys', {
      proof: signStatement(runnerKeyStatement('default', publicKey), keys),
    });
    expect(registered.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: unknown, lease?: string) =>
    fetch(`${server.url}/v1/runner/default${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(lease !== undefined && { 'baton-lease': lease }) },
      body: JSON.stringify(body),
    });

  /** Queues a pool run and claims it: its id, session and lease token. */
  const claimed = async (): Promise<{ runId: string; sessionId: string; token: string }> => {
    runs += 1;
    const { runId, sessionId } = await queuePoolRun(server.store, `hostile${runs}`);
    const response = await post('/claim', {
      owner: 'hostile',
      ttlMs: 60_000,
      publicKey,
      filter: { kinds: ['exec'] },
    });
    expect(response.status).toBe(200);
    const claim = (await response.json()) as { run: { id: string }; lease: { token: string } };
    expect(claim.run.id).toBe(runId);
    return { runId, sessionId, token: claim.lease.token };
  };

  it.each([
    ['run.waiting', {}],
    ['run.started', {}],
    ['run.completed', {}],
    ['run.completed', { status: 'succeeded', text: 'x', usage: { inputTokens: 'many' } }],
    ['run.failed', { error: 5 }],
    ['run.retried', { attempt: 2 }],
  ])('answers a %s event with malformed data %j with a typed 400 and records nothing', async (type, data) => {
    const { runId, sessionId, token } = await claimed();
    const before = await server.store.readEvents(sessionId);
    const response = await post(`/runs/${runId}/events`, { events: [{ type, data }] }, token);
    const body = (await response.json()) as { error?: { code: string } };
    expect(response.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
    expect(response.status, JSON.stringify(body)).toBeLessThan(500);
    expect(typeof body.error?.code).toBe('string');
    expect(await server.store.readEvents(sessionId)).toHaveLength(before.length);
    expect((await server.store.getRun(runId))?.status).toBe('running');
  });

  const requested = (approvalId: string, human: boolean) => ({
    type: 'approval.requested',
    data: {
      approvalId,
      toolCallId: `call_${approvalId}`,
      name: 'refund',
      input: {},
      inputHash: 'h',
      agent: 'exec',
      requestedAt: new Date().toISOString(),
      runPath: [],
      ...(human && { human: true }),
    },
  });
  const decided = (approvalId: string, by: string) => ({
    type: 'approval.decided',
    data: { approvalId, decision: 'approve', by },
  });

  it.each([
    ['in a person’s name', false, 'alice@example.com'],
    ['on a call only a person may decide', true, 'policy'],
  ])('refuses a runner’s approval decision %s (403) and records nothing', async (_, human, by) => {
    const { runId, sessionId, token } = await claimed();
    // Gate ids carry their session (a runner's must name its run's own).
    const approvalId = gateId('approval', { sessionId, runId, toolCallId: 'call_1' });
    const asked = await post(`/runs/${runId}/events`, { events: [requested(approvalId, human)] }, token);
    expect(asked.status).toBe(200);
    const response = await post(`/runs/${runId}/events`, { events: [decided(approvalId, by)] }, token);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('runner_event_refused');
    expect((await server.store.readEvents(sessionId)).map((event) => event.type)).toEqual([
      'approval.requested',
    ]);
  });

  it('records the policy’s own decision on an approval a policy may decide', async () => {
    const { runId, sessionId, token } = await claimed();
    const approvalId = gateId('approval', { sessionId, runId, toolCallId: 'call_2' });
    const response = await post(
      `/runs/${runId}/events`,
      { events: [requested(approvalId, false), decided(approvalId, 'policy')] },
      token,
    );
    expect(response.status).toBe(200);
  });
});
