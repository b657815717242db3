import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/wait-for.js';
import { cliCommand, collectProcess, REPO_ROOT } from './helpers/cli.js';

const NOISY_AGENTS = new URL('./fixtures/delegation/noisy-agents', import.meta.url).pathname;

interface RpcMessage {
  jsonrpc?: string;
  id?: number;
  result?: { structuredContent?: { taskId?: string; status?: string } };
}

describe('baton mcp stdout', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mcp-stdout-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries nothing but protocol messages, even when a loaded agent logs to the console', async () => {
    const { command, args } = cliCommand(['mcp', '--agents', NOISY_AGENTS, '--db', join(dir, 'baton.db')]);
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const done = collectProcess(child);
    // Raw framing on purpose: every stdout line must parse as JSON-RPC, which an SDK client would hide.
    const waiting = new Map<number, (message: RpcMessage) => void>();
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        // A stray line fails the assertions below instead of breaking this reader.
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as RpcMessage;
        if (message.id !== undefined) waiting.get(message.id)?.(message);
      }
    });
    let nextId = 0;
    const send = (method: string, params: Record<string, unknown>): Promise<RpcMessage> => {
      const id = ++nextId;
      const reply = new Promise<RpcMessage>((resolve) => waiting.set(id, resolve));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return reply;
    };
    await send('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw', version: '0' },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const submitted = await send('tools/call', {
      name: 'delegate',
      arguments: { agent: 'noisy', message: 'hi' },
    });
    const taskId = submitted.result?.structuredContent?.taskId;
    expect(taskId).toMatch(/^task_/);
    // Poll until the noisy agent has answered (and logged) inside the server process.
    await waitFor(
      async () => {
        const status = await send('tools/call', { name: 'delegation_status', arguments: { taskId } });
        return status.result?.structuredContent?.status === 'completed';
      },
      { timeoutMs: 30_000, intervalMs: 50, message: `task ${taskId} to complete` },
    );
    child.stdin.end();
    const result = await done;
    for (const line of result.stdout.split('\n').filter(Boolean)) {
      expect((JSON.parse(line) as RpcMessage).jsonrpc).toBe('2.0');
    }
    expect(result.stdout).not.toContain('console-marker');
    expect(result.stderr).toContain('console-marker: loaded');
    expect(result.stderr).toContain('console-marker: answering');
  });
});
