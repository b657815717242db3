import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT } from './helpers/cli.js';
import { parsePrometheus, sampleValue } from './helpers/prometheus.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

const API_TOKEN = 'test-api-token-4f1c9a7e2b';
const OPENAI_KEY = 'sk-test0123456789abcdefghijklmnop';

const agent = `
import { z } from 'zod';
import { defineAgent, scriptedModel, tool } from '${join(REPO_ROOT, 'src', 'index.js')}';

const lookup = tool({
  name: 'lookup',
  description: 'Looks something up',
  inputSchema: z.object({ q: z.string() }),
  execute: ({ q }) => ({ found: q.length }),
});

export default defineAgent({
  name: 'helper',
  instructions: 'Look up twice, then answer.',
  tools: [lookup],
  model: scriptedModel((request) =>
    request.step === 0
      ? { toolCalls: [{ name: 'lookup', input: { q: 'a' } }, { name: 'lookup', input: { q: 'bb' } }], usage: { inputTokens: 7, outputTokens: 3 } }
      : { text: 'answered', usage: { inputTokens: 9, outputTokens: 2 } },
    { modelId: 'helper-model' },
  ),
});
`;

interface OtlpSpan {
  name: string;
  traceId: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A local OTLP/HTTP receiver: decodes the JSON export requests it gets. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  spans: OtlpSpan[];
  bodies: string[];
}> {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) {
        const decoded = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const resource of decoded.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, spans, bodies };
}

describe('baton serve observability', () => {
  let dir: string;
  let serve: ServeProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const auth = { authorization: `Bearer ${API_TOKEN}` };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-otel-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'agents'));
    writeFileSync(join(dir, 'agents', 'helper.ts'), agent);
    receiver = await startReceiver();
    serve = await startServeProcess(
      [
        '--port',
        '0',
        '--auth',
        'bearer',
        '--agents',
        join(dir, 'agents'),
        '--db',
        join(dir, 'baton.db'),
        '--log-level',
        'debug',
      ],
      {
        env: {
          BATON_API_TOKEN: API_TOKEN,
          OPENAI_API_KEY: OPENAI_KEY,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          BATON_OTEL_CAPTURE_CONTENT: 'true',
        },
      },
    );
  }, 60_000);

  afterAll(async () => {
    serve?.child.kill('SIGKILL');
    await new Promise((resolve) => receiver?.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function metrics(headers: Record<string, string> = auth) {
    const response = await fetch(`${serve.url}/metrics`, { headers });
    const text = await response.text();
    return { status: response.status, text, samples: response.ok ? parsePrometheus(text) : [] };
  }

  it('keeps /metrics behind auth, lists every metric from the start, and moves them as runs complete', async () => {
    expect((await metrics({})).status).toBe(401);
    const before = await metrics();
    expect(before.status).toBe(200);
    // Every metric issue 17 lists is declared before anything happened (labelled ones have no
    // samples yet), and nothing else is: a new metric is added here and to docs/observability.md.
    const declared = before.text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE baton_'))
      .map((line) => line.slice('# TYPE '.length))
      .sort();
    expect(declared).toEqual(
      [
        'baton_admission_checks_total counter',
        'baton_admission_clamps_total counter',
        'baton_admission_rejects_total counter',
        'baton_http_request_duration_seconds histogram',
        'baton_lease_takeovers_total counter',
        'baton_model_call_duration_seconds histogram',
        'baton_model_cost_usd_total counter',
        'baton_model_tokens_total counter',
        'baton_queue_depth gauge',
        'baton_queue_oldest_age_seconds gauge',
        'baton_run_duration_seconds histogram',
        'baton_runs_ended_total counter',
        'baton_runs_started_total counter',
        'baton_step_duration_seconds histogram',
        'baton_store_commit_duration_seconds histogram',
        'baton_stream_readers gauge',
        'baton_tool_duration_seconds histogram',
        'baton_waiting_approvals gauge',
        'baton_workers_live gauge',
      ].sort(),
    );
    expect(sampleValue(before.samples, 'baton_workers_live')).toBe(1);

    const started = await fetch(`${serve.url}/v1/sessions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-api-key': OPENAI_KEY },
      body: JSON.stringify({ agent: 'helper', message: `please use ${OPENAI_KEY} with Bearer ${API_TOKEN}` }),
    });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    await waitFor(
      async () => {
        const run = (await (await fetch(`${serve.url}/v1/runs/${runId}`, { headers: auth })).json()) as {
          status: string;
        };
        return run.status === 'succeeded';
      },
      { message: 'the run to succeed', timeoutMs: 30_000 },
    );
    const after = await waitFor(
      async () => {
        const { samples } = await metrics();
        return sampleValue(samples, 'baton_runs_ended_total', { agent: 'helper', status: 'succeeded' }) === 1
          ? samples
          : undefined;
      },
      { message: 'runs_ended to move' },
    );
    expect(sampleValue(after, 'baton_runs_started_total', { agent: 'helper' })).toBe(1);
    expect(sampleValue(after, 'baton_step_duration_seconds_count', { agent: 'helper' })).toBe(2);
    expect(sampleValue(after, 'baton_tool_duration_seconds_count', { tool: 'lookup', outcome: 'ok' })).toBe(
      2,
    );
    expect(sampleValue(after, 'baton_model_tokens_total', { model: 'helper-model', type: 'input' })).toBe(16);
    // A lone agent's admission at run start commits nothing, and is still counted.
    expect(sampleValue(after, 'baton_admission_checks_total', { point: 'run.start' })).toBe(1);
    expect(sampleValue(after, 'baton_store_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(
      sampleValue(after, 'baton_http_request_duration_seconds_count', {
        route: '/v1/sessions',
        method: 'POST',
        status: '202',
      }),
    ).toBe(1);

    // The spans reach the OTLP receiver.
    const genAi = () => receiver.spans.filter((span) => !span.name.startsWith('baton.'));
    const spans = await waitFor(() => (genAi().length >= 5 ? genAi() : undefined), {
      message: 'spans at the OTLP receiver',
      timeoutMs: 20_000,
    });
    expect(receiver.spans.map((span) => span.name)).toContain('baton.lease.claim');
    const names2 = spans.map((span) => span.name).sort();
    expect(names2).toEqual([
      'chat helper-model',
      'chat helper-model',
      'execute_tool lookup',
      'execute_tool lookup',
      'invoke_agent helper',
    ]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    const chat = spans.find((span) => span.name.startsWith('chat'));
    expect(chat?.attributes.map((attribute) => attribute.key)).toEqual(
      expect.arrayContaining([
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.output_tokens',
        'gen_ai.request.model',
        'gen_ai.input.messages',
      ]),
    );

    // Redaction: neither the API token nor the provider key is in the logs or the exported spans.
    for (const text of [serve.stderr(), receiver.bodies.join('\n')]) {
      expect(text).not.toContain(API_TOKEN);
      expect(text).not.toContain(OPENAI_KEY);
    }
    expect(receiver.bodies.join('\n')).toContain('[redacted]');
    expect(serve.stderr()).toContain('"requestId"');
  }, 90_000);
});
