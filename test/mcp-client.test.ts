import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAgent } from '../src/core/agent.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
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
});
