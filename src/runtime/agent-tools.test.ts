import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAgent } from '../core/agent.js';
import { scriptedModel } from '../model/scripted-model.js';
import { agentToolsRunner } from './agent-tools.js';

const RUNTIME_DIR = new URL('.', import.meta.url).pathname;

describe('agent tools in the runtime', () => {
  it('imports nothing from the layers above it (MCP, server, CLI, client): connectors are injected', () => {
    const upward = readdirSync(RUNTIME_DIR)
      .filter((file) => file.endsWith('.ts'))
      .filter((file) =>
        /from '\.\.\/(mcp|server|cli|client|handoff|evals)\//.test(
          readFileSync(join(RUNTIME_DIR, file), 'utf8'),
        ),
      );
    expect(upward).toEqual([]);
  });

  it('runs agents without servers without calling the connector, and closes a connection after the work', async () => {
    const calls: string[] = [];
    const run = agentToolsRunner(async (servers) => {
      calls.push(`connect ${servers.map((server) => server.name).join(',')}`);
      return { tools: [], close: async () => void calls.push('close') };
    });
    const plain = defineAgent({ name: 'plain', instructions: 'x', model: scriptedModel([]) });
    const served = defineAgent({
      name: 'served',
      instructions: 'x',
      model: scriptedModel([]),
      mcpServers: [{ name: 'one', command: 'unused' }],
    });
    const signal = new AbortController().signal;
    expect(await run(plain, signal, async (tools) => tools.length)).toBe(0);
    expect(calls).toEqual([]);
    await expect(
      run(served, signal, async () => {
        calls.push('work');
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(calls).toEqual(['connect one', 'work', 'close']);
  });
});
