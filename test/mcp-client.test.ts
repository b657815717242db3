import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { tool } from '../src/core/tool.js';
import { messageKind } from '../src/message/message-kind.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { createRuntime as createBareRuntime } from '../src/runtime/create-runtime.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { AGENTS_DIR } from './fixtures/delegation/mcp-client.js';
import { cliCommand } from './helpers/cli.js';

describe('agents with MCP servers', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mcp-client-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets the server tools as <name>__<tool>, journaled like any tool', async () => {
    const { command, args } = cliCommand(['mcp', '--agents', AGENTS_DIR, '--db', join(dir, 'inner.db')]);
    const agent = defineAgent({
      name: 'delegator',
      instructions: 'Delegate to echo.',
      mcpServers: [{ name: 'baton', command, args }],
      model: scriptedModel([
        { toolCalls: [{ name: 'baton__delegate', input: { agent: 'echo', message: 'from a tool' } }] },
        { toolCalls: [{ name: 'baton__delegation_history', input: {} }] },
        { text: 'delegated' },
      ]),
    });
    const store = new MemoryStore();
    const runtime = createRuntime({ store, agents: [agent] });
    const { runId, sessionId } = await runtime.start({ agent: 'delegator', message: 'go' });
    const run = await runtime.execute(runId);
    expect(run.status).toBe('succeeded');
    const results = await store.readEvents(sessionId, { types: ['tool.result'] });
    expect(results.map((event) => event.type === 'tool.result' && [event.data.name, event.data.ok])).toEqual([
      ['baton__delegate', true],
      ['baton__delegation_history', true],
    ]);
    const first = results[0];
    expect(first?.type === 'tool.result' && first.data.output).toEqual({
      taskId: expect.stringMatching(/^task_/),
      reused: false,
    });
    await runtime.close();
  });

  it('fails the run at its start with mcp_server_failed when a server cannot start', async () => {
    const agent = defineAgent({
      name: 'broken',
      instructions: 'x',
      mcpServers: [{ name: 'missing', command: join(dir, 'no-such-binary') }],
      model: scriptedModel([{ text: 'never' }]),
    });
    const store = new MemoryStore();
    const runtime = createRuntime({ store, agents: [agent] });
    const { runId, sessionId } = await runtime.start({ agent: 'broken', message: 'go' });
    const run = await runtime.execute(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'mcp_server_failed', message: expect.stringContaining('"missing"') });
    const failed = await store.readEvents(sessionId, { types: ['run.failed'] });
    expect(failed).toHaveLength(1);
    await runtime.close();
  });

  it('connects mcpServers through the connector the runtime was given', async () => {
    const servers: string[] = [];
    let closed = 0;
    const agent = defineAgent({
      name: 'injected',
      instructions: 'x',
      mcpServers: [{ name: 'fake', command: 'unused' }],
      model: scriptedModel([{ toolCalls: [{ name: 'fake__ping', input: {} }] }, { text: 'done' }]),
    });
    const store = new MemoryStore();
    const runtime = createBareRuntime({
      store,
      agents: [agent],
      kinds: [messageKind()],
      connectAgentTools: async (specs) => {
        servers.push(...specs.map((spec) => spec.name));
        const ping = tool({
          name: 'fake__ping',
          description: 'ping',
          inputSchema: z.object({}),
          execute: async () => 'pong',
        });
        return { tools: [ping], close: async () => void closed++ };
      },
    });
    const { runId, sessionId } = await runtime.start({ agent: 'injected', message: 'go' });
    expect((await runtime.execute(runId)).status).toBe('succeeded');
    const results = await store.readEvents(sessionId, { types: ['tool.result'] });
    expect(results.map((event) => event.type === 'tool.result' && event.data.output)).toEqual(['pong']);
    expect(servers).toEqual(['fake']);
    expect(closed).toBe(1);
    await runtime.close();
  });

  it('fails the run with mcp_unavailable when the runtime has no connector for an agent with servers', async () => {
    const agent = defineAgent({
      name: 'unwired',
      instructions: 'x',
      mcpServers: [{ name: 'fake', command: 'unused' }],
      model: scriptedModel([{ text: 'never' }]),
    });
    const runtime = createBareRuntime({ store: new MemoryStore(), agents: [agent], kinds: [messageKind()] });
    const { runId } = await runtime.start({ agent: 'unwired', message: 'go' });
    const run = await runtime.execute(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'mcp_unavailable',
      message: expect.stringContaining('connectAgentTools'),
    });
    await runtime.close();
  });
});
