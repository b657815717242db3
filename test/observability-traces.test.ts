import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { tool } from '../src/core/tool.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { createApp } from '../src/server/app.js';
import { gatedAgent, memoryStores } from './fixtures/runtime-agents.js';
import { withLateMessage } from './helpers/late-message.js';

const newStore = memoryStores();

function tracing() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((span) => span.name === name);
  return { tracerProvider, spans, named };
}

const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('OpenTelemetry GenAI spans', () => {
  it('makes invoke_agent, chat and execute_tool spans for a run with two tool calls', async () => {
    const { tracerProvider, spans, named } = tracing();
    const echo = tool({
      name: 'echo',
      description: 'Echoes',
      inputSchema: z.object({ n: z.number() }),
      execute: ({ n }) => ({ n }),
    });
    const agent = defineAgent({
      name: 'two-tools',
      instructions: 'Call echo twice.',
      model: scriptedModel(
        [
          {
            toolCalls: [
              { name: 'echo', input: { n: 1 } },
              { name: 'echo', input: { n: 2 } },
            ],
            usage: { inputTokens: 12, outputTokens: 5 },
          },
          { text: 'done', usage: { inputTokens: 0, outputTokens: 0 } },
        ],
        { modelId: 'gpt-test' },
      ),
      tools: [echo],
    });
    // Every commit gets a span (by default only slow ones do).
    const runtime = createRuntime({ store: newStore(), agents: [agent], tracerProvider, commitSpanMinMs: 0 });
    const { runId, sessionId } = await runtime.start({
      agent: 'two-tools',
      message: 'secret sk-abcdefghijklmnopqrstuv',
    });
    expect((await runtime.execute(runId)).status).toBe('succeeded');

    const [root] = named('invoke_agent two-tools');
    expect(root).toBeDefined();
    if (!root) return;
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'baton.session.id': sessionId,
      'baton.run.id': runId,
      'baton.run.attempt': 1,
      'baton.worker.id': expect.any(String),
    });
    const chats = named('chat gpt-test');
    expect(chats).toHaveLength(2);
    expect(chats.map((span) => span.attributes)).toEqual([
      expect.objectContaining({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'scripted',
        'gen_ai.request.model': 'gpt-test',
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 5,
      }),
      expect.objectContaining({ 'gen_ai.usage.input_tokens': 0, 'gen_ai.usage.output_tokens': 0 }),
    ]);
    const tools = named('execute_tool echo');
    expect(tools).toHaveLength(2);
    for (const span of tools)
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'echo',
        'gen_ai.tool.call.id': expect.any(String),
        'baton.run.id': runId,
      });
    // The lease the attempt ran under and the journal commits it made are children too.
    const [claim] = named('baton.lease.claim');
    expect(claim?.attributes).toMatchObject({
      'baton.lease.ttl_ms': expect.any(Number),
      'baton.lease.takeover': false,
      'baton.run.id': runId,
    });
    const commits = named('baton.store.commit');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.flatMap((span) => span.attributes['baton.store.event_types'])).toEqual(
      expect.arrayContaining(['tool.result', 'step.completed', 'run.completed']),
    );
    for (const span of [...chats, ...tools, ...commits, claim as ReadableSpan]) {
      expect(parentOf(span)).toBe(root.spanContext().spanId);
      expect(traceOf(span)).toBe(traceOf(root));
    }
    // The attempt's span opens when its lease was asked for, so the claim lies within it.
    const nanos = ([seconds, nanoseconds]: [number, number]) => seconds * 1e9 + nanoseconds;
    expect(nanos(root.startTime)).toBeLessThanOrEqual(nanos((claim as ReadableSpan).startTime));
    // Contents are not recorded unless asked for.
    expect(JSON.stringify(spans().map((span) => span.attributes))).not.toContain('sk-abcdefghijklmnopqrstuv');
    const run = await runtime.getRun(runId);
    expect(run.traceparent).toMatch(new RegExp(`^00-${traceOf(root)}-[0-9a-f]{16}-01$`));
  });

  it('puts both attempts of a killed and resumed run in one trace', async () => {
    const store = newStore();
    const { tracerProvider, named } = tracing();
    const first = gatedAgent();
    const runtime = createRuntime({ store, agents: [first.agent], tracerProvider });
    const { runId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const shutdown = new AbortController();
    const execution = runtime.execute(runId, { signal: shutdown.signal, drainGraceMs: 0 });
    await first.started;
    shutdown.abort();
    await execution;
    const second = gatedAgent();
    const resumed = await createRuntime({ store, agents: [second.agent], tracerProvider }).execute(runId);
    expect(resumed.status).toBe('succeeded');
    const attempts = named('invoke_agent gated');
    expect(attempts.map((span) => span.attributes['baton.run.attempt'])).toEqual([1, 2]);
    expect(new Set(attempts.map(traceOf)).size).toBe(1);
    expect(traceOf(attempts[0] as ReadableSpan)).toBe(resumed.traceparent?.split('-')[1]);
  });

  it('puts a child run and a delegated task in the trace of the run that made them', async () => {
    const { tracerProvider, named } = tracing();
    const store = newStore();
    const child = defineAgent({
      name: 'child',
      instructions: 'Answer.',
      model: scriptedModel([{ text: 'child done' }]),
    });
    const made: string[] = [];
    let runtime: ReturnType<typeof createRuntime>;
    const spawn = tool({
      name: 'spawn',
      description: 'Starts a child run and a delegated task',
      inputSchema: z.object({}),
      execute: async () => {
        made.push((await runtime.start({ agent: 'child', message: 'go' })).runId);
        const tasks = runtimeTaskService(runtime);
        const { taskId } = await tasks.submitTask({ profile: 'agent:child', args: { message: 'task' } });
        made.push((await tasks.getTask(taskId)).runId as string);
        return 'spawned';
      },
    });
    const parent = defineAgent({
      name: 'parent',
      instructions: 'Spawn.',
      model: scriptedModel([{ toolCalls: [{ name: 'spawn', input: {} }] }, { text: 'ok' }]),
      tools: [spawn],
    });
    runtime = createRuntime({ store, agents: [parent, child], tracerProvider });
    const { runId } = await runtime.start({ agent: 'parent', message: 'hi' });
    await runtime.execute(runId);
    for (const id of made) expect((await runtime.execute(id)).status).toBe('succeeded');
    const [root] = named('invoke_agent parent');
    const children = named('invoke_agent child');
    expect(children).toHaveLength(2);
    for (const span of children) {
      expect(traceOf(span)).toBe(traceOf(root as ReadableSpan));
      expect(parentOf(span)).toBe(root?.spanContext().spanId);
    }
  });

  it('honours an incoming traceparent and shows it on GET /v1/runs/:id', async () => {
    const { tracerProvider, named } = tracing();
    const agent = defineAgent({
      name: 'chat',
      instructions: 'Answer.',
      model: scriptedModel([{ text: 'hello' }]),
    });
    const runtime = createRuntime({ store: newStore(), agents: [agent], tracerProvider });
    const app = createApp({ runtime });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const started = await app.request('/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ agent: 'chat', message: 'hi' }),
    });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const view = (await (await app.request(`/v1/runs/${runId}`)).json()) as { traceparent: string };
    expect(view.traceparent).toBe(traceparent);
    await runtime.execute(runId);
    const [span] = named('invoke_agent chat');
    expect(span && traceOf(span)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span && parentOf(span)).toBe('00f067aa0ba902b7');
  });

  it('ignores a malformed traceparent and starts a new trace', async () => {
    const agent = defineAgent({
      name: 'chat',
      instructions: 'Answer.',
      model: scriptedModel([{ text: 'hello' }]),
    });
    const runtime = createRuntime({ store: newStore(), agents: [agent] });
    const app = createApp({ runtime });
    const started = await app.request('/v1/sessions', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      },
      body: JSON.stringify({ agent: 'chat', message: 'hi' }),
    });
    const { runId } = (await started.json()) as { runId: string };
    const run = await runtime.getRun(runId);
    expect(run.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(run.traceparent).not.toContain('00000000000000000000000000000000');
  });

  it('does not mark a conditional commit that lost its race (an answer a message overtook) as failed', async () => {
    const { tracerProvider, named } = tracing();
    // A message lands just before the answer's commit with the run's end, which is conditional
    // on nothing having come: it writes nothing, the answer commits alone, and another step
    // answers the message. Nothing failed.
    const store = withLateMessage(newStore());
    const agent = defineAgent({
      name: 'chat',
      instructions: 'Repeat the user.',
      model: scriptedModel((request) => ({ text: `echo: ${request.lastUserText ?? ''}` })),
    });
    const runtime = createRuntime({ store, agents: [agent], tracerProvider, commitSpanMinMs: 0 });
    const { runId } = await runtime.start({ agent: 'chat', message: 'early' });
    expect((await runtime.execute(runId)).result).toEqual({ text: 'echo: late' });
    const commits = named('baton.store.commit');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.filter((span) => span.status.code === SpanStatusCode.ERROR)).toEqual([]);
    expect(commits.filter((span) => span.attributes['baton.store.conflict'] === true)).toHaveLength(1);
    const [root] = named('invoke_agent chat');
    expect(root?.status.code).not.toBe(SpanStatusCode.ERROR);
  });
});
