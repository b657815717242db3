import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../src/core/agent.js';
import { verifyChain } from '../src/core/events.js';
import { tool } from '../src/core/tool.js';
import { runTurn } from '../src/loop/run-turn.js';
import { fakeClock } from '../src/model/fake-clock.js';
import { resolveModel } from '../src/model/resolve-model.js';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { startedJournal } from './loop-fixtures.js';

interface ChatRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
}

function chunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  usage?: Record<string, number>,
) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'local-llama',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...(usage === undefined ? {} : { usage }),
  };
}

/** The first request asks for two tool calls (arguments split across deltas); the next answers. */
function chunksFor(request: ChatRequest): unknown[] {
  const hasToolResults = request.messages.some((message) => message.role === 'tool');
  if (!hasToolResults) {
    return [
      chunk({ role: 'assistant', content: null }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({
        tool_calls: [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      }),
      chunk({}, 'tool_calls', { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 }),
    ];
  }
  return [
    chunk({ role: 'assistant', content: 'Paris is ' }),
    chunk({ content: 'sunny and ' }),
    chunk({ content: 'Oslo is rainy.' }),
    chunk({}, 'stop', { prompt_tokens: 90, completion_tokens: 8, total_tokens: 98 }),
  ];
}

describe('openai-compatible provider end to end', () => {
  const requests: ChatRequest[] = [];
  const authorizations: (string | undefined)[] = [];
  const rateLimited = new Set<string>();
  let baseURL = '';
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (data: Buffer) => {
      body += data.toString();
    });
    request.on('end', () => {
      if (request.url?.startsWith('/html/')) {
        // A web page where the API should be: a reverse proxy's login page, a wrong port.
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as ChatRequest;
      // `busy-<seconds>` models are rate limited once, with that Retry-After, then answer.
      const busy = /^busy-(\d+)$/.exec(parsed.model);
      if (busy && !rateLimited.has(parsed.model)) {
        rateLimited.add(parsed.model);
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': busy[1] ?? '1' });
        response.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit', code: '429' } }));
        return;
      }
      requests.push(parsed);
      authorizations.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const item of chunksFor(parsed)) response.write(`data: ${JSON.stringify(item)}\n\n`);
      response.end('data: [DONE]\n\n');
    });
  });

  beforeAll(async () => {
    baseURL = `http://127.0.0.1:${await listenOnLoopback(server)}/v1`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('runs a tool-calling turn through the real AI SDK provider over SSE', async () => {
    const cities: string[] = [];
    const weather = tool({
      name: 'get_weather',
      description: 'Current weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: ({ city }) => {
        cities.push(city);
        return { city, sky: city === 'Paris' ? 'sunny' : 'rainy' };
      },
    });
    const agent = defineAgent({
      name: 'weather',
      instructions: 'Answer weather questions.',
      model: `openai-compatible:local-llama@${baseURL}`,
      tools: [weather],
    });
    const journal = startedJournal('Weather in Paris and Oslo?');
    const deltas: string[] = [];
    journal.subscribe((event) => {
      if (event.type === 'model.delta') deltas.push(event.delta);
    });

    const outcome = await runTurn({ agent, journal });

    expect(outcome).toEqual({
      status: 'succeeded',
      text: 'Paris is sunny and Oslo is rainy.',
      usage: { inputTokens: 140, outputTokens: 28 },
      steps: 2,
    });
    expect(cities.sort()).toEqual(['Oslo', 'Paris']);
    expect(deltas).toEqual(['Paris is ', 'sunny and ', 'Oslo is rainy.']);
    const completed = journal.events.find((event) => event.type === 'message.completed');
    expect(completed?.data).toMatchObject({
      finishReason: 'tool_calls',
      toolCalls: [
        { toolCallId: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { toolCallId: 'call_b', name: 'get_weather', input: { city: 'Oslo' } },
      ],
    });
    expect(verifyChain(journal.events).ok).toBe(true);

    // The provider sent the agent's instructions, the tool schema and, second time, the tool results.
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      model: 'local-llama',
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    });
    expect(requests[0]?.messages[0]).toEqual({ role: 'system', content: 'Answer weather questions.' });
    const toolMessages = requests[1]?.messages.filter((message) => message.role === 'tool') ?? [];
    expect(toolMessages.map((message) => message.tool_call_id).sort()).toEqual(['call_a', 'call_b']);
    expect(authorizations[0]).toBeUndefined();
  });

  it("waits out the provider's Retry-After on the injected clock, then finishes the turn", async () => {
    const clock = fakeClock();
    const agent = defineAgent({
      name: 'weather',
      instructions: 'x',
      model: `openai-compatible:busy-7@${baseURL}`,
    });
    const journal = startedJournal();
    const outcome = await runTurn({ agent, journal, clock });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Paris is sunny and Oslo is rainy.' });
    expect(clock.sleeps).toEqual([7000]);
    // The retry is persisted in the step, before the response it led to.
    const types = journal.events.map((event) => event.type);
    expect(types.slice(types.indexOf('step.started'), types.indexOf('message.completed') + 1)).toEqual([
      'step.started',
      'model.retried',
      'message.completed',
    ]);
    expect(journal.events.find((event) => event.type === 'model.retried')?.data).toEqual({
      attempt: 2,
      maxAttempts: 3,
      delayMs: 7000,
      reason: 'rate limited',
    });
  });

  it("defers the turn until the provider's Retry-After when it is long and longRetry is 'defer'", async () => {
    const clock = fakeClock();
    const agent = defineAgent({
      name: 'weather',
      instructions: 'x',
      model: `openai-compatible:busy-120@${baseURL}`,
    });
    const outcome = await runTurn({ agent, journal: startedJournal(), clock, retry: { longRetry: 'defer' } });
    expect(outcome).toMatchObject({
      status: 'deferred',
      retryAt: clock.now() + 120_000,
      error: { code: 'rate_limited' },
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('says the base URL is not a model API when the server answers 200 with a web page', async () => {
    const url = baseURL.replace(/\/v1$/, '/html');
    const agent = defineAgent({
      name: 'weather',
      instructions: 'x',
      model: `openai-compatible:local-llama@${url}`,
    });
    const outcome = await runTurn({ agent, journal: startedJournal(), retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_not_an_api' } });
    const message = outcome.status === 'failed' ? outcome.error.message : '';
    expect(message).toContain(`not a model API at ${url}?`);
    expect(message).toContain('text/html');
  });

  it('says the same for openai: at OPENAI_BASE_URL and anthropic: at ANTHROPIC_BASE_URL', async () => {
    const url = baseURL.replace(/\/v1$/, '/html');
    const env = {
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: url,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: url,
    };
    for (const spec of ['openai:gpt-4.1-mini', 'anthropic:claude-sonnet-4-5']) {
      const model = resolveModel(spec, env);
      await expect(
        model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }),
      ).rejects.toMatchObject({
        code: 'model_not_an_api',
        message: expect.stringContaining(`not a model API at ${url}?`),
      });
    }
  });

  it('fails the turn with the provider error code when the server rejects the request', async () => {
    const agent = defineAgent({
      name: 'weather',
      instructions: 'x',
      model: `openai-compatible:local-llama@${baseURL}/missing`,
    });
    const outcome = await runTurn({ agent, journal: startedJournal(), retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'model_request_rejected' }, steps: 1 });
  });
});
