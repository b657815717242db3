import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-run-'));
const db = join(dir, 'baton.db');
const agent = (name: string) => join('test', 'fixtures', 'agents', `${name}.ts`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parseNdjson(stdout: string): BatonEvent[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as BatonEvent);
}

describe('baton run', () => {
  it('prints the whole turn as NDJSON with gapless seq, a valid chain and the tool outputs, and exits 0', async () => {
    const result = await runCli(['run', agent('three-lookups'), 'look', 'these', 'up', '--json', '--db', db]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index));
    expect(verifyChain(events).ok).toBe(true);
    const step = ['step.started', 'message.completed', 'tool.started', 'tool.result', 'step.completed'];
    expect(events.map((event) => event.type)).toEqual([
      'session.started',
      'message.received',
      'run.started',
      ...step,
      ...step,
      ...step,
      'step.started',
      'message.completed',
      'step.completed',
      'run.completed',
    ]);
    expect(events[1]?.data).toEqual({ role: 'user', text: 'look these up' });
    const outputs = events.flatMap((event) => (event.type === 'tool.result' ? [event.data.output] : []));
    expect(outputs).toEqual([
      { city: 'Paris', population: 5000 },
      { city: 'Oslo', population: 4000 },
      { city: 'Lima', population: 4000 },
    ]);
    expect(events.at(-1)?.data).toMatchObject({
      status: 'succeeded',
      text: 'Paris, Oslo and Lima looked up.',
    });
  });

  it('keeps a run going when a tool fails', async () => {
    const result = await runCli(['run', agent('failing-tool'), 'try it', '--json', '--db', db]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const failed = events.find((event) => event.type === 'tool.result');
    expect(failed?.data).toMatchObject({
      ok: false,
      output: null,
      error: { code: 'tool_error', message: 'boom' },
    });
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('fails the run with exit 1 and a run.failed event when the model runs past its script', async () => {
    const result = await runCli(['run', agent('exhausted'), 'hello', '--json', '--db', db]);
    expect(result.code).toBe(1);
    const last = parseNdjson(result.stdout).at(-1);
    expect(last?.type).toBe('run.failed');
    expect(last?.data).toMatchObject({ error: { code: 'script_exhausted' } });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints a plain summary with the answer when stdout is not a terminal', async () => {
    const result = await runCli(['run', agent('three-lookups'), 'go', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('lookup {"city":"Oslo"}');
    expect(result.stdout).toContain('Paris, Oslo and Lima looked up.');
    expect(result.stdout).toMatch(/succeeded · 4 steps · 3 tool calls · \d+ in \/ \d+ out tokens · /);
    expect(result.stdout).toMatch(/session ses_\w+ · run run_\w+/);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it.each([
    ['a missing agent file', ['run', 'test/fixtures/agents/missing.ts', 'hi']],
    ['a module without a default export', ['run', agent('no-default'), 'hi']],
    ['a default export that is not an agent', ['run', agent('not-an-agent'), 'hi']],
    ['a missing message', ['run', agent('three-lookups')]],
    ['an unknown flag', ['run', agent('three-lookups'), 'hi', '--bogus']],
    ['a bad lease TTL', ['run', agent('three-lookups'), 'hi', '--lease-ttl', 'soon']],
    ['an unknown model provider', ['run', agent('three-lookups'), 'hi', '--model', 'nowhere:model']],
  ])('exits 2 with a one-line message for %s', async (_case, args) => {
    const result = await runCli([...args, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows a model retry live, then the summary with session and run ids, tokens, cost and plurals', async () => {
    // A chat-completions server that is rate limited once (Retry-After: 1), then answers.
    let calls = 0;
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls += 1;
        if (calls === 1) {
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end(JSON.stringify({ error: { message: 'slow down' } }));
          return;
        }
        const chunk = (delta: object, finish: string | null, usage?: object) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage && { usage }) })}\n\n`;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(chunk({ role: 'assistant', content: 'All done.' }, null));
        response.write(
          chunk({}, 'stop', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }),
        );
        response.end('data: [DONE]\n\n');
      });
    });
    const port = await listenOnLoopback(server);
    try {
      const model = `openai-compatible:gpt-4.1-mini@http://127.0.0.1:${port}/v1`;
      const result = await runCli(['run', agent('three-lookups'), 'go', '--model', model, '--db', db]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('↻ retrying in 1 s (attempt 2 of 3): rate limited');
      expect(result.stdout).toMatch(
        /✔ succeeded · 1 step · 0 tool calls · 1,000 in \/ 500 out tokens · \$0\.0012\n/,
      );
      expect(result.stdout).toMatch(/ {2}session ses_\w+ · run run_\w+\n$/);
      const runId = /run (run_\w+)\n$/.exec(result.stdout)?.[1] ?? '';
      const shown = await runCli(['runs', 'show', runId, '--json', '--db', db]);
      const { sessionId } = JSON.parse(shown.stdout) as { sessionId: string };
      const events = await runCli(['events', sessionId, '--json', '--db', db]);
      expect(parseNdjson(events.stdout).find((event) => event.type === 'model.retried')?.data).toEqual({
        attempt: 2,
        maxAttempts: 3,
        delayMs: 1000,
        reason: 'rate limited',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
