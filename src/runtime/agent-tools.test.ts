import { describe, expect, it } from 'vitest';
import { defineAgent } from '../core/agent.js';
import { scriptedModel } from '../model/scripted-model.js';
import { agentToolsRunner } from './agent-tools.js';

// The runtime's imports (no MCP, server, CLI, client, nor any run kind) are checked by the layer
// lint, .dependency-cruiser.cjs (`npm run lint`).
describe('agent tools in the runtime', () => {
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
