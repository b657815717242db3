import { afterEach, describe, expect, it } from 'vitest';
import { BatonApiError, createClient } from '../src/client/index.js';
import { defineAgent } from '../src/core/agent.js';
import type { BatonEvent } from '../src/core/events.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { waitFor } from '../src/testing/wait-for.js';
import { askerAgent, mailerAgent, waitForGate, waitForIdle } from './helpers/hitl-agents.js';
import type { TestServer } from './helpers/http-server.js';
import { readNdjson, startTestServer } from './helpers/http-server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function log(
  url: string,
  sessionId: string,
  headers: Record<string, string> = {},
): Promise<BatonEvent[]> {
  return (await readNdjson(
    await fetch(`${url}/v1/sessions/${sessionId}/stream`, { headers }),
  )) as unknown as BatonEvent[];
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function toolResult(events: BatonEvent[], name: string) {
  return events.find((event) => event.type === 'tool.result' && event.data.name === name)?.data;
}

describe('approvals over HTTP', () => {
  it('waits holding no lease, runs the ungated call, and runs the approved call once', async () => {
    const sent: string[] = [];
    server = await startTestServer({ agents: [mailerAgent({ sent })] });
    const { client, url } = server;
    const { sessionId, runId } = await client.startSession({ agent: 'mailer', message: 'mail paris' });
    const waiting = await waitForGate(client, sessionId);
    const [approval] = waiting.pendingApprovals;
    expect(approval).toMatchObject({
      toolCallId: expect.any(String),
      name: 'send_email',
      input: { to: 'paris@example.com' },
      inputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      runPath: [runId],
    });
    const run = await client.getRun(runId);
    expect(run).toMatchObject({ status: 'waiting', lease: null });
    const before = await log(url, sessionId);
    expect(toolResult(before, 'lookup')).toMatchObject({ ok: true });
    expect(before.some((event) => event.type === 'tool.started' && event.data.name === 'send_email')).toBe(
      false,
    );
    expect((await client.listApprovals()).approvals.map((a) => a.approvalId)).toEqual([approval?.approvalId]);

    const decided = await post(url, `/v1/approvals/${approval?.approvalId}`, {
      decision: 'approve',
      inputHash: approval?.inputHash,
    });
    expect(decided).toEqual({
      status: 200,
      body: {
        approvalId: approval?.approvalId,
        decision: 'approve',
        by: 'anonymous',
        decidedAt: expect.any(String),
      },
    });
    const done = await waitForIdle(client, sessionId);
    expect(done.status).toBe('idle');
    expect(done.pendingApprovals).toEqual([]);
    expect(sent).toEqual(['paris@example.com']);
    const events = await log(url, sessionId);
    expect(
      events.filter((event) => event.type === 'tool.started' && event.data.name === 'send_email'),
    ).toHaveLength(1);
    expect(events.map((event) => event.type)).toContain('approval.decided');
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', data: { text: 'finished' } });
    expect((await client.listApprovals()).approvals).toEqual([]);
  });

  it('deny: the model sees a denied tool error with the reason; the tool never runs', async () => {
    const sent: string[] = [];
    server = await startTestServer({ agents: [mailerAgent({ sent })] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'mailer', message: 'mail' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    const result = await client.decide(approval?.approvalId ?? '', { decision: 'deny', reason: 'not today' });
    expect(result.decision).toBe('deny');
    await waitForIdle(client, sessionId);
    expect(sent).toEqual([]);
    expect(toolResult(await log(url, sessionId), 'send_email')).toMatchObject({
      ok: false,
      error: { code: 'denied', message: 'not today' },
    });
  });

  it('refuses a stale inputHash (409 stale_approval) and the second of two racing decisions (409 already_decided)', async () => {
    server = await startTestServer({ agents: [mailerAgent()] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'mailer', message: 'mail' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    const path = `/v1/approvals/${approval?.approvalId}`;
    const stale = await post(url, path, { decision: 'approve', inputHash: 'a'.repeat(64) });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'stale_approval' } } });
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, index) => post(url, path, { decision: index % 2 ? 'deny' : 'approve' })),
    );
    expect(racing.filter((answer) => answer.status === 200)).toHaveLength(1);
    const losers = racing.filter((answer) => answer.status !== 200);
    expect(losers).toHaveLength(5);
    for (const loser of losers)
      expect(loser).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
    await waitForIdle(client, sessionId);
    const decisions = (await log(url, sessionId)).filter((event) => event.type === 'approval.decided');
    expect(decisions).toHaveLength(1);
  });

  it('refuses hostile input with typed 4xx errors', async () => {
    server = await startTestServer({ agents: [mailerAgent()] });
    const { url } = server;
    expect(await post(url, '/v1/approvals/apr_nope_0', { decision: 'approve' })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await post(url, '/v1/approvals/whatever', { decision: 'maybe' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect(await post(url, '/v1/inputs/inp_x_y', { answer: 1 })).toMatchObject({ status: 404 });
    expect((await fetch(`${url}/v1/approvals?status=decided`)).status).toBe(400);
  });

  it('expiry: an undecided approval past expiresAt fails the call with approval_expired, and a late decision is 409', async () => {
    const sent: string[] = [];
    server = await startTestServer({ agents: [mailerAgent({ sent, expiresInMs: 300 })] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'mailer', message: 'mail' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    expect(approval?.expiresAt).toEqual(expect.any(String));
    // Nobody decides: the worker's sweep records the expiry and the run goes on.
    await waitForIdle(client, sessionId);
    expect(toolResult(await log(url, sessionId), 'send_email')).toMatchObject({
      ok: false,
      error: { code: 'approval_expired' },
    });
    const late = await post(url, `/v1/approvals/${approval?.approvalId}`, { decision: 'approve' });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'approval_expired' } } });
    expect(sent).toEqual([]);
  });

  it('answers 401 to an unauthenticated decision under bearer auth and records the principal otherwise', async () => {
    server = await startTestServer({
      agents: [mailerAgent()],
      auth: { mode: 'bearer', token: 'tok-hitl' },
      token: 'tok-hitl',
    });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'mailer', message: 'mail' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    const path = `/v1/approvals/${approval?.approvalId}`;
    const anonymous = await post(url, path, { decision: 'approve' });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await fetch(`${url}/v1/approvals`)).status).toBe(401);
    const decided = await client.decide(approval?.approvalId ?? '', { decision: 'approve' });
    expect(decided.by).toBe('bearer:api-token');
    await waitForIdle(client, sessionId);
  });
});

describe('programmatic approvals', () => {
  it('records the policy decision with by: policy, and ask waits for a person', async () => {
    const sent: string[] = [];
    const agent = mailerAgent({ sent, needsApproval: (input) => input.to.endsWith('@example.com') });
    server = await startTestServer({ agents: [agent] });
    await server.close();
    // A runtime with a policy: approve mail to paris, ask about anything else.
    const { createRuntime } = await import('../src/baton-runtime.js');
    const { SqliteStore } = await import('../src/store/sqlite/index.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'baton-policy-'));
    const store = new SqliteStore(join(dir, 'baton.db'));
    const seen: string[] = [];
    const runtime = createRuntime({
      store,
      agents: [agent],
      approvals: (request) => {
        seen.push(request.name);
        return (request.input as { to: string }).to.startsWith('paris') ? 'approve' : 'ask';
      },
    });
    try {
      const { sessionId, runId } = await runtime.start({ agent: 'mailer', message: 'mail' });
      const run = await runtime.execute(runId);
      expect(run.status).toBe('succeeded');
      expect(seen).toEqual(['send_email']);
      expect(sent).toEqual(['paris@example.com']);
      const events = await store.readEvents(sessionId, { types: ['approval.decided'] });
      expect(events.map((event) => event.data)).toEqual([
        expect.objectContaining({ decision: 'approve', by: 'policy' }),
      ]);
    } finally {
      await runtime.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('questions', () => {
  it('refuses an answer outside the choices (400 answer_rejected) and gives a valid one to the model', async () => {
    server = await startTestServer({ agents: [askerAgent({ choices: ['Paris', 'Rome'] })] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'asker', message: 'plan a trip' });
    const [question] = (await waitForGate(client, sessionId)).pendingInputs;
    expect(question).toMatchObject({ question: 'Which city?', choices: ['Paris', 'Rome'] });
    const wrong = await post(url, `/v1/inputs/${question?.requestId}`, { answer: 'Berlin' });
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'answer_rejected' } } });
    expect((await client.getSession(sessionId)).pendingInputs).toHaveLength(1);
    const right = await client.answer(question?.requestId ?? '', 'Rome');
    expect(right).toMatchObject({ answer: 'Rome', by: 'anonymous' });
    const done = await waitForIdle(client, sessionId);
    expect(done.status).toBe('idle');
    const events = await log(url, sessionId);
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', data: { text: 'answered "Rome"' } });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['input.requested', 'input.provided']),
    );
  });

  it('validates an answer against the question schema', async () => {
    const schema = {
      type: 'object',
      properties: { nights: { type: 'integer', minimum: 1 } },
      required: ['nights'],
    };
    server = await startTestServer({ agents: [askerAgent({ schema })] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'asker', message: 'book' });
    const [question] = (await waitForGate(client, sessionId)).pendingInputs;
    const path = `/v1/inputs/${question?.requestId}`;
    expect(await post(url, path, { answer: { nights: 0 } })).toMatchObject({ status: 400 });
    expect(await post(url, path, { answer: 'two' })).toMatchObject({ status: 400 });
    expect(await post(url, path, { answer: { nights: 2 } })).toMatchObject({ status: 200 });
    expect(await post(url, path, { answer: { nights: 3 } })).toMatchObject({
      status: 409,
      body: { error: { code: 'already_decided' } },
    });
    await waitForIdle(client, sessionId);
    expect(toolResult(await log(url, sessionId), 'ask_question')).toMatchObject({
      ok: true,
      output: { nights: 2 },
    });
  });
});

describe('nested runs', () => {
  it('an approval raised after a handoff surfaces on the root session with its runPath', async () => {
    const sent: string[] = [];
    const mailer = mailerAgent({ name: 'billing', sent });
    const triage = defineAgent({
      name: 'triage',
      instructions: 'Route.',
      handoffs: [mailer],
      model: scriptedModel(() => ({ toolCalls: [{ name: 'transfer_to_billing', input: {} }] })),
    });
    server = await startTestServer({ agents: [triage] });
    const { client } = server;
    const { sessionId, runId } = await client.startSession({ agent: 'triage', message: 'refund me' });
    const session = await waitForGate(client, sessionId);
    expect(session.pendingApprovals).toEqual([
      expect.objectContaining({ name: 'send_email', agent: 'billing', sessionId, runId, runPath: [runId] }),
    ]);
    const listed = await client.listApprovals({ sessionId });
    expect(listed.approvals).toHaveLength(1);
    await client.decide(listed.approvals[0]?.approvalId ?? '', { decision: 'approve' });
    await waitFor(async () => (await client.getRun(runId)).status === 'succeeded', {
      message: 'the run to finish',
    });
    expect(sent).toEqual(['paris@example.com']);
  });
});

describe('the client', () => {
  it('raises BatonApiError with the server code', async () => {
    server = await startTestServer({ agents: [mailerAgent()] });
    const client = createClient({ baseUrl: server.url });
    await expect(client.decide('apr_missing_1', { decision: 'approve' })).rejects.toBeInstanceOf(
      BatonApiError,
    );
  });
});

describe('MCP', () => {
  it('lists and decides through approvals_list and approval_decide, recorded as mcp:<client>', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import(
      '@modelcontextprotocol/sdk/client/streamableHttp.js'
    );
    const sent: string[] = [];
    const human = mailerAgent({ name: 'careful', needsApproval: 'human' });
    server = await startTestServer({ agents: [mailerAgent({ sent }), human] });
    const { client: http } = server;
    const { sessionId } = await http.startSession({ agent: 'mailer', message: 'mail' });
    const careful = await http.startSession({ agent: 'careful', message: 'mail' });
    await waitForGate(http, sessionId);
    const [humanOnly] = (await waitForGate(http, careful.sessionId)).pendingApprovals;
    const mcp = new Client({ name: 'orchestrator', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    try {
      const listed = await mcp.callTool({ name: 'approvals_list', arguments: { sessionId } });
      const approvals = (listed.structuredContent as { approvals: { approvalId: string }[] }).approvals;
      expect(approvals).toHaveLength(1);
      const decided = await mcp.callTool({
        name: 'approval_decide',
        arguments: { approvalId: approvals[0]?.approvalId, decision: 'approve' },
      });
      expect(decided.structuredContent).toMatchObject({
        decision: 'approve',
        by: expect.stringMatching(/^mcp:/),
      });
      const refused = await mcp.callTool({
        name: 'approval_decide',
        arguments: { approvalId: humanOnly?.approvalId, decision: 'approve' },
      });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('human_required');
    } finally {
      await mcp.close();
    }
    await waitForIdle(http, sessionId);
    expect(sent).toEqual(['paris@example.com']);
    expect((await http.getSession(careful.sessionId)).status).toBe('waiting');
  });
});
