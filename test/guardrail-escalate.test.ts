import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Agent, BatonEvent } from '../src/index.js';
import { defineAgent, guardrail, scriptedModel, tool } from '../src/index.js';
import { waitForGate, waitForIdle } from './helpers/hitl-agents.js';
import type { TestServer } from './helpers/http-server.js';
import { readNdjson, startTestServer } from './helpers/http-server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `ops` runs `shell` once (no `needsApproval`); its tool guardrail escalates `rm` commands, or fails its input on `escalate` in the message. */
function opsAgent(executed: string[]): Agent {
  const shell = tool({
    name: 'shell',
    description: 'Runs a command',
    inputSchema: z.object({ command: z.string() }),
    execute: ({ command }) => {
      executed.push(command);
      return { ran: command };
    },
  });
  return defineAgent({
    name: 'ops',
    instructions: 'Run it.',
    tools: [shell],
    guardrails: [
      guardrail({
        name: 'noRm',
        on: 'tool',
        check: (call) => ({
          tripwire: JSON.stringify(call.input).includes('rm '),
          reason: 'destructive',
          action: 'escalate',
        }),
      }),
      guardrail({
        name: 'noInput',
        on: 'input',
        check: (text) => ({ tripwire: text.includes('escalate'), reason: 'odd', action: 'escalate' }),
      }),
    ],
    model: scriptedModel((request) =>
      request.lastRole === 'tool'
        ? { text: 'finished' }
        : { toolCalls: [{ name: 'shell', input: { command: request.lastUserText ?? '' } }] },
    ),
  });
}

async function log(url: string, sessionId: string): Promise<BatonEvent[]> {
  return (await readNdjson(await fetch(`${url}/v1/sessions/${sessionId}/stream`))) as unknown as BatonEvent[];
}

async function decide(url: string, approvalId: string, body: Record<string, unknown>) {
  const response = await fetch(`${url}/v1/approvals/${approvalId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

const ofType = <T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T) =>
  events.flatMap((event) => (event.type === type ? [event.data as BatonEvent<T>['data']] : []));

describe('a tool guardrail that escalates', () => {
  it('turns the call into an approval: approved, the tool runs once', async () => {
    const executed: string[] = [];
    server = await startTestServer({ agents: [opsAgent(executed)] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'ops', message: 'rm -rf build' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    expect(approval).toMatchObject({
      name: 'shell',
      input: { command: 'rm -rf build' },
      guardrail: { name: 'noRm', reason: 'destructive' },
    });
    expect((await client.listApprovals({ sessionId })).approvals).toHaveLength(1);
    expect(executed).toEqual([]);

    expect(await decide(url, approval?.approvalId ?? '', { decision: 'approve' })).toBe(200);
    expect((await waitForIdle(client, sessionId)).status).toBe('idle');
    expect(executed).toEqual(['rm -rf build']);
    const events = await log(url, sessionId);
    // The guardrail had its say once: the resumed run lets the approval decide.
    expect(ofType(events, 'guardrail.tripped')).toEqual([
      { name: 'noRm', on: 'tool', reason: 'destructive', action: 'escalate' },
    ]);
    expect(ofType(events, 'tool.started').map((data) => data.name)).toEqual(['shell']);
    expect(ofType(events, 'tool.result')).toMatchObject([{ name: 'shell', ok: true }]);
  });

  it('denied, the model sees `denied` and the tool never runs', async () => {
    const executed: string[] = [];
    server = await startTestServer({ agents: [opsAgent(executed)] });
    const { client, url } = server;
    const { sessionId } = await client.startSession({ agent: 'ops', message: 'rm -rf /' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    expect(await decide(url, approval?.approvalId ?? '', { decision: 'deny', reason: 'never' })).toBe(200);
    expect((await waitForIdle(client, sessionId)).status).toBe('idle');
    expect(executed).toEqual([]);
    const events = await log(url, sessionId);
    expect(ofType(events, 'tool.result')).toMatchObject([
      { name: 'shell', ok: false, error: { code: 'denied', message: 'never' } },
    ]);
  });

  it('an input guardrail that escalates fails the run like block (no call to approve)', async () => {
    server = await startTestServer({ agents: [opsAgent([])] });
    const { client } = server;
    const { sessionId, runId } = await client.startSession({ agent: 'ops', message: 'escalate this' });
    await waitForIdle(client, sessionId);
    expect(await client.getRun(runId)).toMatchObject({
      status: 'failed',
      error: { code: 'guardrail_tripped' },
    });
  });
});
