import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import type { TaskPayload } from './fixtures/delegation/mcp-client.js';
import { AGENTS_DIR, callJson, pollTask } from './fixtures/delegation/mcp-client.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

const TOKEN = 'mcp-http-test-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('delegation over HTTP in baton serve', () => {
  let dir: string;
  let server: ServeProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mcp-http-'));
    server = await startServeProcess(
      ['--agents', AGENTS_DIR, '--db', join(dir, 'baton.db'), '--port', '0', '--auth', 'bearer'],
      {
        env: { BATON_API_TOKEN: TOKEN },
      },
    );
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'baton-test', version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }),
    );
    return client;
  }

  it('refuses MCP callers without the bearer token', async () => {
    await expect(connect({})).rejects.toThrow();
  });

  it('serves the same tools at /mcp: delegate, poll to completed, resubmit reuses the task', async () => {
    const client = await connect(auth);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('delegate_research');
    const first = await callJson<{ taskId: string; reused: boolean }>(client, 'delegate', {
      agent: 'echo',
      message: 'over http',
    });
    expect(first.reused).toBe(false);
    const task = await pollTask(client, first.taskId);
    expect(task).toMatchObject({ status: 'completed', result: { text: 'echo: over http' } });
    expect(await callJson(client, 'delegate', { agent: 'echo', message: 'over http' })).toEqual({
      taskId: first.taskId,
      reused: true,
    });
    await client.close();
  });

  it('offers the task API under /v1/tasks', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const submitted = await post('/v1/tasks', {
      profile: 'agent:slow',
      args: { message: 'wait 60000' },
      namespace: 'http',
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.json()) as { taskId: string };
    const again = await post('/v1/tasks', {
      profile: 'agent:slow',
      args: { message: 'wait 60000' },
      namespace: 'http',
    });
    expect(await again.json()).toEqual({ taskId, reused: true });
    const shown = await fetch(`${server.url}/v1/tasks/${taskId}`, { headers: auth });
    expect(((await shown.json()) as TaskPayload).taskId).toBe(taskId);
    const cancelled = await post(`/v1/tasks/${taskId}/cancel`, {});
    expect(((await cancelled.json()) as TaskPayload).status).toBe('cancelled');
    const feedback = await post(`/v1/tasks/${taskId}/feedback`, {
      score: 0.2,
      notes: 'too slow',
      by: 'downstream-judge',
    });
    expect(feedback.status).toBe(201);
    expect(await feedback.json()).toMatchObject({
      recorded: true,
      id: expect.stringMatching(/^fb_/),
      score: 0.2,
      by: 'downstream-judge',
    });
    const nested = await post(`/v1/tasks/${taskId}/feedback`, {
      rating: { score: 1, label: 'kind', notes: 'the MCP shape works too' },
      by: 'user',
    });
    expect(await nested.json()).toMatchObject({ recorded: true, score: 1, label: 'kind', by: 'user' });
    expect((await post(`/v1/tasks/${taskId}/feedback`, { score: 2, notes: '', by: 'user' })).status).toBe(
      400,
    );
    const listed = await fetch(`${server.url}/v1/tasks?namespace=http&limit=5`, { headers: auth });
    const { tasks } = (await listed.json()) as { tasks: TaskPayload[] };
    expect(tasks.map((task) => task.taskId)).toEqual([taskId]);
    expect((await fetch(`${server.url}/v1/tasks/task_missing`, { headers: auth })).status).toBe(404);
    expect((await post('/v1/tasks', { profile: 'painter', args: {} })).status).toBe(400);
    expect((await fetch(`${server.url}/v1/tasks`, { headers: {} })).status).toBe(401);
  });

  it('lets an agent use the server as a Streamable HTTP MCP server', async () => {
    const agent = defineAgent({
      name: 'remote-delegator',
      instructions: 'x',
      mcpServers: [{ name: 'remote', url: `${server.url}/mcp`, headers: auth }],
      model: scriptedModel([
        { toolCalls: [{ name: 'remote__delegation_history', input: { limit: 1 } }] },
        { text: 'ok' },
      ]),
    });
    const store = new MemoryStore();
    const runtime = createRuntime({ store, agents: [agent] });
    const { runId, sessionId } = await runtime.start({ agent: agent.name, message: 'go' });
    expect((await runtime.execute(runId)).status).toBe('succeeded');
    const [result] = await store.readEvents(sessionId, { types: ['tool.result'] });
    expect(result?.type === 'tool.result' && result.data.ok).toBe(true);
    await runtime.close();
  });
});
