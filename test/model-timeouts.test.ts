import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentOptions } from '../src/core/agent.js';
import { defineAgent } from '../src/core/agent.js';
import { runTurn } from '../src/loop/run-turn.js';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { startedJournal } from './loop-fixtures.js';

/** How the fake provider treats one request. */
type Behaviour = 'hang' | 'stall-after-chunk' | 'close-after-chunk' | 'end-after-chunk' | 'answer';

function sse(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  usage?: Record<string, number>,
) {
  const chunk = {
    id: 'chatcmpl-timeouts',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'local',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...(usage && { usage }),
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/**
 * An OpenAI-compatible server that misbehaves as told, one behaviour per request in order
 * (then answers normally): never answering, stalling or dropping the connection mid-stream.
 */
function misbehavingProvider() {
  const plan: Behaviour[] = [];
  const seen: Behaviour[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const behaviour = plan.shift() ?? 'answer';
      seen.push(behaviour);
      open.add(response);
      response.on('close', () => open.delete(response));
      if (behaviour === 'hang') return;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(sse({ role: 'assistant', content: 'Hel' }));
      if (behaviour === 'stall-after-chunk') return;
      if (behaviour === 'close-after-chunk') {
        // Give the chunk time to arrive, then drop the connection without ending the response.
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      if (behaviour === 'end-after-chunk') {
        response.end();
        return;
      }
      response.write(sse({ content: 'lo' }));
      response.write(sse({}, 'stop', { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }));
      response.end('data: [DONE]\n\n');
    });
  });
  return {
    plan,
    seen,
    server,
    /** Ends hung responses, so that the server can close. */
    release: () => {
      for (const response of open) response.destroy();
    },
  };
}

describe('model calls that never end', () => {
  const provider = misbehavingProvider();
  let baseURL = '';

  beforeAll(async () => {
    baseURL = `http://127.0.0.1:${await listenOnLoopback(provider.server)}/v1`;
  });
  afterEach(() => {
    provider.plan.length = 0;
    provider.seen.length = 0;
    provider.release();
  });
  afterAll(async () => {
    provider.release();
    await new Promise<void>((resolve) => provider.server.close(() => resolve()));
  });

  const agent = (retry: NonNullable<AgentOptions['retry']>) =>
    defineAgent({ name: 'local', instructions: 'x', model: `openai-compatible:local@${baseURL}`, retry });

  it('fails a provider that never answers with model_timeout once the first-byte timeout passed on every attempt', async () => {
    provider.plan.push('hang', 'hang');
    const startedAt = Date.now();
    const outcome = await runTurn({
      agent: agent({ firstByteTimeoutMs: 300, maxAttempts: 2, initialDelayMs: 10 }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_timeout' } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/300 ms/);
    expect(provider.seen).toEqual(['hang', 'hang']);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
  });

  it('retries a hung attempt and finishes the turn when the next one answers', async () => {
    provider.plan.push('hang');
    const outcome = await runTurn({
      agent: agent({ firstByteTimeoutMs: 300, initialDelayMs: 10 }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Hello' });
    expect(provider.seen).toEqual(['hang', 'answer']);
  });

  it('times out a stream that goes quiet between chunks (idle timeout) and retries it', async () => {
    provider.plan.push('stall-after-chunk');
    const outcome = await runTurn({
      agent: agent({ idleTimeoutMs: 300, initialDelayMs: 10 }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Hello' });
    expect(provider.seen).toEqual(['stall-after-chunk', 'answer']);

    provider.plan.push('stall-after-chunk');
    const failed = await runTurn({
      agent: agent({ idleTimeoutMs: 300, maxAttempts: 1 }),
      journal: startedJournal(),
    });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'model_timeout' } });
  });

  it.each([
    ['drops the connection', 'close-after-chunk'],
    ['ends the response', 'end-after-chunk'],
  ] as const)(
    'classifies a stream that %s after one chunk as a retryable model_network_error',
    async (_label, behaviour) => {
      provider.plan.push(behaviour);
      const outcome = await runTurn({ agent: agent({ maxAttempts: 1 }), journal: startedJournal() });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_network_error' } });

      provider.plan.push(behaviour);
      const retried = await runTurn({ agent: agent({ initialDelayMs: 10 }), journal: startedJournal() });
      expect(retried).toMatchObject({ status: 'succeeded', text: 'Hello' });
    },
  );

  it('counts hung attempts against the retry budget: maxActiveElapsedMs ends the retries', async () => {
    provider.plan.push('hang', 'hang', 'hang', 'hang', 'hang');
    const outcome = await runTurn({
      agent: agent({ firstByteTimeoutMs: 300, maxAttempts: 5, initialDelayMs: 10, maxActiveElapsedMs: 500 }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_timeout' } });
    expect(outcome.status === 'failed' && outcome.error.message).toContain('gave up after 2 attempts');
    expect(provider.seen).toEqual(['hang', 'hang']);
  });

  it("lets the agent's retry settings override the runtime's", async () => {
    provider.plan.push('hang');
    const outcome = await runTurn({
      agent: agent({ firstByteTimeoutMs: 300, maxAttempts: 1 }),
      journal: startedJournal(),
      retry: { firstByteTimeoutMs: 600_000, maxAttempts: 3 },
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_timeout' } });
    expect(provider.seen).toEqual(['hang']);
  });

  it('ends `baton run` against a provider that never answers, exit 1, naming the timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-timeouts-'));
    try {
      writeFileSync(
        join(dir, 'hung.ts'),
        `import { defineAgent } from '${join(REPO_ROOT, 'src', 'index.js')}';
export default defineAgent({
  name: 'hung',
  instructions: 'x',
  model: 'openai-compatible:local@${baseURL}',
  retry: { firstByteTimeoutMs: 300, maxAttempts: 2, initialDelayMs: 10 },
});
`,
      );
      provider.plan.push('hang', 'hang');
      const result = await runCli(['run', join(dir, 'hung.ts'), 'hello', '--db', join(dir, 'baton.db')], {
        timeoutMs: 30_000,
      });
      expect(result.code).toBe(1);
      // The human view prints its one failure line with the run summary.
      expect(result.stdout).toContain('model_timeout');
      expect(provider.seen).toEqual(['hang', 'hang']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
