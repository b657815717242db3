import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { BatonEvent } from '../src/core/events.js';
import { taskSessionId } from '../src/delegation/task-run.js';
import { createDelegationMcpServer, runtimeTaskService } from '../src/mcp/index.js';
import type { Runtime, Worker } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { callJson, connectStdio, pollTask } from './fixtures/delegation/mcp-client.js';
import { REPO_ROOT } from './helpers/cli.js';
import { mailerAgent } from './helpers/hitl-agents.js';

interface Desk {
  runtime: Runtime;
  client: Client;
  sent: string[];
  offers: ElicitRequest['params'][];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A runtime with its worker, and the real MCP SDK client connected to Baton's delegation server;
 * `answer` (when given) is the client user's reply to each elicitation: the client then
 * announces the `elicitation` capability.
 */
async function desk(answer?: (request: ElicitRequest['params']) => ElicitResult): Promise<Desk> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-elicit-'));
  const store = new SqliteStore(join(dir, 'baton.db'));
  const sent: string[] = [];
  const runtime = createRuntime({
    store,
    agents: [
      mailerAgent({ name: 'careful', needsApproval: 'human', sent }),
      mailerAgent({ name: 'hasty', needsApproval: true, expiresInMs: 1_500, sent }),
    ],
  });
  const worker: Worker = runtime.startWorker({ concurrency: 2, pollIntervalMs: 10 });
  const server = createDelegationMcpServer({
    tasks: runtimeTaskService(runtime),
    approvals: runtime,
    elicitApprovals: true,
  });
  const client = new Client(
    { name: 'desk', version: '1.0.0' },
    answer === undefined ? {} : { capabilities: { elicitation: {} } },
  );
  const offers: ElicitRequest['params'][] = [];
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      offers.push(request.params);
      return answer(request.params);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  cleanups.push(async () => {
    await client.close();
    await server.close();
    await worker.stop();
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { runtime, client, sent, offers };
}

async function taskLog(runtime: Runtime, taskId: string): Promise<BatonEvent[]> {
  const task = await runtimeTaskService(runtime).getTask(taskId);
  return runtime.store.readEvents(taskSessionId(task.runId ?? ''));
}

describe('approvals of a delegated task, offered through MCP elicitation', () => {
  it("the client's user approves a 'human' tool: recorded by mcp:<client>, the tool runs once", async () => {
    const { runtime, client, sent, offers } = await desk(() => ({
      action: 'accept',
      content: { decision: 'approve' },
    }));
    const { taskId } = await callJson<{ taskId: string }>(client, 'delegate', {
      agent: 'careful',
      message: 'mail paris',
    });
    const task = await pollTask(client, taskId);
    expect(task).toMatchObject({ status: 'completed', result: { text: 'finished' } });
    expect(sent).toEqual(['paris@example.com']);
    expect(offers).toHaveLength(1);
    expect(offers[0]?.message).toContain('approve send_email {"to":"paris@example.com"}');
    const events = await taskLog(runtime, taskId);
    const decided = events.filter((event) => event.type === 'approval.decided').map((event) => event.data);
    expect(decided).toEqual([{ approvalId: expect.any(String), decision: 'approve', by: 'mcp:desk' }]);
    expect(
      events.filter((event) => event.type === 'tool.started' && event.data.name === 'send_email'),
    ).toHaveLength(1);
  });

  it('a declined elicitation denies: the model sees denied and the task completes without the tool', async () => {
    const { runtime, client, sent } = await desk(() => ({ action: 'decline' }));
    const { taskId } = await callJson<{ taskId: string }>(client, 'delegate', {
      agent: 'careful',
      message: 'x',
    });
    expect(await pollTask(client, taskId)).toMatchObject({ status: 'completed' });
    expect(sent).toEqual([]);
    const events = await taskLog(runtime, taskId);
    const result = events.find((event) => event.type === 'tool.result' && event.data.name === 'send_email');
    expect(result?.data).toMatchObject({ ok: false, error: { code: 'denied' } });
  });

  it('without elicitation and without a decision before the approval expires, the task fails with human_required', async () => {
    const { client, sent } = await desk();
    const { taskId } = await callJson<{ taskId: string }>(client, 'delegate', {
      agent: 'hasty',
      message: 'x',
    });
    const task = await pollTask(client, taskId);
    expect(task).toMatchObject({ status: 'failed', error: { kind: 'human_required' } });
    expect(sent).toEqual([]);
  });

  it('without elicitation, a decision over approval_decide while the task waits lets it finish', async () => {
    const { client, sent } = await desk();
    const { taskId } = await callJson<{ taskId: string }>(client, 'delegate', {
      agent: 'hasty',
      message: 'x',
    });
    const approvals = await pollApprovals(client);
    await callJson(client, 'approval_decide', { approvalId: approvals[0]?.approvalId, decision: 'approve' });
    expect(await pollTask(client, taskId)).toMatchObject({ status: 'completed' });
    expect(sent).toEqual(['paris@example.com']);
  });
});

describe('baton mcp over stdio', () => {
  it("offers a delegated task's approval to the client's user and runs the tool once it is accepted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-elicit-stdio-'));
    const offers: string[] = [];
    const client = new Client({ name: 'desk', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      offers.push(request.params.message);
      return { action: 'accept', content: { decision: 'approve' } };
    });
    const session = await connectStdio(join(dir, 'baton.db'), [], {
      agentsDir: join(REPO_ROOT, 'examples/hitl'),
      client,
    });
    cleanups.push(async () => {
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { taskId } = await callJson<{ taskId: string }>(client, 'delegate', {
      agent: 'mailer',
      message: 'mail paris',
    });
    const task = await pollTask(client, taskId, undefined, 60_000);
    expect(task).toMatchObject({
      status: 'completed',
      result: { text: expect.stringContaining('paris@example.com') },
    });
    expect(offers).toEqual([expect.stringContaining('approve send_email {"to":"paris@example.com"}')]);
  });
});

async function pollApprovals(client: Client): Promise<{ approvalId: string }[]> {
  for (;;) {
    const { approvals } = await callJson<{ approvals: { approvalId: string }[] }>(
      client,
      'approvals_list',
      {},
    );
    if (approvals.length > 0) return approvals;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
