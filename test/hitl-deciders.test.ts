import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import { createApp } from '../src/server/app.js';
import type { RunningServer } from '../src/server/serve.js';
import { serve } from '../src/server/serve.js';
import { askerAgent, mailerAgent, waitForGate, waitForIdle } from './helpers/hitl-agents.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer } from './helpers/http-server.js';

// Two servers over one runtime: ann's and bob's (basic auth, one user each), sharing the admin token.
const ADMIN_TOKEN = 'admin-secret';
const basic = (user: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`,
});
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

let ann: TestServer | undefined;
let bob: RunningServer | undefined;

afterEach(async () => {
  await bob?.close({ graceMs: 100 });
  await ann?.close();
  ann = undefined;
  bob = undefined;
});

async function start(): Promise<{ annUrl: string; bobUrl: string; server: TestServer }> {
  const sent: string[] = [];
  ann = await startTestServer({
    agents: [mailerAgent({ sent }), askerAgent({ choices: ['Rome', 'Paris'] })],
    auth: { mode: 'basic', username: 'ann', password: 'pw-ann', adminToken: ADMIN_TOKEN },
  });
  const app = createApp({
    runtime: ann.runtime,
    auth: { mode: 'basic', username: 'bob', password: 'pw-bob', adminToken: ADMIN_TOKEN },
  });
  bob = await serve({ app, port: 0, host: '127.0.0.1' });
  return { annUrl: ann.url, bobUrl: bob.url, server: ann };
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Starts a session as ann and returns its first open approval (or question) id. */
async function waitingSession(annUrl: string, agent: 'mailer' | 'asker') {
  const client = createClient({ baseUrl: annUrl, headers: basic('ann') });
  const { sessionId } = await client.startSession({ agent, message: 'go' });
  const session = await waitForGate(client, sessionId);
  const gateId = session.pendingApprovals[0]?.approvalId ?? session.pendingInputs[0]?.requestId ?? '';
  return { client, sessionId, gateId };
}

describe('who may decide under auth', () => {
  it("refuses another principal's decision and answer (403 forbidden) and takes the initiator's", async () => {
    const { annUrl, bobUrl } = await start();
    const { client, sessionId, gateId } = await waitingSession(annUrl, 'mailer');

    const refused = await post(`${bobUrl}/v1/approvals/${gateId}`, { decision: 'approve' }, basic('bob'));
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const anonymous = await post(`${bobUrl}/v1/approvals/${gateId}`, { decision: 'approve' }, {});
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await client.getSession(sessionId)).status).toBe('waiting');

    const decided = await post(`${annUrl}/v1/approvals/${gateId}`, { decision: 'approve' }, basic('ann'));
    expect(decided).toMatchObject({ status: 200, body: { decision: 'approve', by: 'basic:ann' } });
    expect((await waitForIdle(client, sessionId)).status).toBe('idle');

    const question = await waitingSession(annUrl, 'asker');
    const wrongAnswer = await post(
      `${bobUrl}/v1/inputs/${question.gateId}`,
      { answer: 'Rome' },
      basic('bob'),
    );
    expect(wrongAnswer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const answered = await post(`${annUrl}/v1/inputs/${question.gateId}`, { answer: 'Rome' }, basic('ann'));
    expect(answered).toMatchObject({ status: 200, body: { by: 'basic:ann' } });
  });

  it('lets the admin token decide any session', async () => {
    const { annUrl, bobUrl } = await start();
    const { client, sessionId, gateId } = await waitingSession(annUrl, 'mailer');
    const decided = await post(`${bobUrl}/v1/approvals/${gateId}`, { decision: 'deny', reason: 'no' }, admin);
    expect(decided).toMatchObject({ status: 200, body: { decision: 'deny', by: 'bearer:admin' } });
    expect((await waitForIdle(client, sessionId)).status).toBe('idle');
  });

  it('holds approval_decide over /mcp to the same rule', async () => {
    const { annUrl, bobUrl } = await start();
    const { client, sessionId, gateId } = await waitingSession(annUrl, 'mailer');
    const connect = async (url: string, headers: Record<string, string>) => {
      const mcp = new Client({ name: 'relay', version: '1.0.0' });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
      );
      return mcp;
    };
    const asBob = await connect(bobUrl, basic('bob'));
    const asAnn = await connect(annUrl, basic('ann'));
    try {
      const refused = await asBob.callTool({
        name: 'approval_decide',
        arguments: { approvalId: gateId, decision: 'approve' },
      });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('forbidden');
      const decided = await asAnn.callTool({
        name: 'approval_decide',
        arguments: { approvalId: gateId, decision: 'approve' },
      });
      // Stateless HTTP: each request has its own MCP server, which never saw the client's
      // initialize, so the relay is named by the principal the server authenticated.
      expect(decided.structuredContent).toMatchObject({ decision: 'approve', by: 'mcp:basic:ann' });
    } finally {
      await asBob.close();
      await asAnn.close();
    }
    expect((await waitForIdle(client, sessionId)).status).toBe('idle');
  });
});
