import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contextKey } from '../src/core/context-key.js';
import { UserError } from '../src/core/errors.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { tool } from '../src/core/tool.js';
import { runTurn } from '../src/loop/run-turn.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import {
  countingModel,
  followUpJournal,
  startedJournal,
  THREE_CALLS_THEN_ANSWER,
  typesOf,
  weatherAgent,
  weatherTool,
} from './loop-fixtures.js';

describe('runTurn', () => {
  it('runs three tool calls then answers, recording every step in a valid hash chain', async () => {
    const weather = weatherTool();
    const journal = startedJournal();
    const outcome = await runTurn({
      agent: weatherAgent({ model: scriptedModel(THREE_CALLS_THEN_ANSWER), tools: [weather.tool] }),
      journal,
    });

    expect(outcome).toEqual({
      status: 'succeeded',
      text: 'Sunny in Paris, Oslo and Rome.',
      usage: { inputTokens: 100, outputTokens: 23 },
      steps: 4,
    });
    expect(weather.calls).toEqual(['Paris', 'Oslo', 'Rome']);
    const toolStep = ['step.started', 'message.completed', 'tool.started', 'tool.result', 'step.completed'];
    expect(typesOf(journal.events, journal.runId)).toEqual([
      'session.started',
      'message.received',
      'run.started',
      ...toolStep,
      ...toolStep,
      ...toolStep,
      'step.started',
      'message.completed',
      'step.completed',
    ]);
    expect(journal.events.map((event) => event.seq)).toEqual(journal.events.map((_, index) => index));
    expect(verifyChain(journal.events)).toMatchObject({ ok: true, count: journal.events.length });
    const results = journal.events.filter(
      (event): event is BatonEvent<'tool.result'> => event.type === 'tool.result',
    );
    expect(results[0]?.data).toMatchObject({
      ok: true,
      output: { city: 'Paris', forecast: 'sunny', celsius: 21 },
    });
    const steps = journal.events.filter((event) => event.type === 'step.started').map((event) => event.data);
    expect(steps).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }, { step: 4 }]);
  });

  it('never appends run events', async () => {
    const journal = startedJournal();
    await runTurn({ agent: weatherAgent({ model: scriptedModel([{ text: 'hi' }]) }), journal });
    const runEvents = journal.events.slice(3).filter((event) => event.type.startsWith('run.'));
    expect(runEvents).toEqual([]);
  });

  it('commits the model response before any tool runs', async () => {
    const journal = startedJournal();
    let committedBeforeExecute = false;
    const probe = tool({
      name: 'probe',
      description: 'checks the journal',
      inputSchema: z.object({}),
      execute: () => {
        committedBeforeExecute = journal.events.some((event) => event.type === 'message.completed');
        return 'seen';
      },
    });
    const model = scriptedModel([{ toolCalls: [{ name: 'probe', input: {} }] }, { text: 'done' }]);
    await runTurn({ agent: weatherAgent({ model, tools: [probe] }), journal });
    expect(committedBeforeExecute).toBe(true);
  });

  it('turns a failing tool into an error result without failing the turn', async () => {
    const weather = weatherTool({ fail: true });
    const journal = startedJournal();
    const model = scriptedModel([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] },
      { text: 'Sorry.' },
    ]);
    const outcome = await runTurn({ agent: weatherAgent({ model, tools: [weather.tool] }), journal });
    expect(outcome.status).toBe('succeeded');
    const result = journal.events.find((event) => event.type === 'tool.result');
    expect(result?.data).toMatchObject({
      ok: false,
      output: null,
      error: { code: 'tool_error', message: 'weather service down for Paris' },
    });
    expect(JSON.stringify(result?.data)).not.toContain('at ');
  });

  it("keeps a failing tool's typed error code in its result", async () => {
    const guarded = tool({
      name: 'guarded',
      description: 'refuses a FIFO',
      inputSchema: z.object({}),
      execute: () => {
        throw new UserError('not_a_regular_file', 'pipe is not a regular file');
      },
    });
    const journal = startedJournal();
    const model = scriptedModel([{ toolCalls: [{ name: 'guarded', input: {} }] }, { text: 'ok' }]);
    await runTurn({ agent: weatherAgent({ model, tools: [guarded] }), journal });
    const result = journal.events.find((event) => event.type === 'tool.result');
    expect(result?.data).toMatchObject({
      ok: false,
      error: { code: 'not_a_regular_file', message: 'pipe is not a regular file' },
    });
  });

  it('turns invalid input into an invalid_input result that names the problem', async () => {
    const weather = weatherTool();
    const journal = startedJournal();
    const model = scriptedModel([
      { toolCalls: [{ name: 'get_weather', input: { city: 42 } }] },
      { text: 'Hmm.' },
    ]);
    await runTurn({ agent: weatherAgent({ model, tools: [weather.tool] }), journal });
    const result = journal.events.find((event) => event.type === 'tool.result');
    expect(result?.data).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(JSON.stringify(result?.data)).toMatch(/city: /);
    expect(weather.calls).toEqual([]);
  });

  it('answers an unknown tool with unknown_tool and malformed JSON input with invalid_input', async () => {
    const journal = startedJournal();
    const model = scriptedModel([
      { toolCalls: [{ name: 'teleport', input: {} }] },
      { toolCalls: [{ name: 'get_weather', rawInput: '{"city": "Par' }] },
      { text: 'Giving up.' },
    ]);
    const outcome = await runTurn({ agent: weatherAgent({ model, tools: [weatherTool().tool] }), journal });
    expect(outcome.status).toBe('succeeded');
    const errors = journal.events.flatMap((event) =>
      event.type === 'tool.result' ? [event.data.error?.code] : [],
    );
    expect(errors).toEqual(['unknown_tool', 'invalid_input']);
    const malformed = journal.events.filter((event) => event.type === 'message.completed')[1];
    expect(malformed?.data).toMatchObject({ finishReason: 'malformed' });
  });

  it('runs several tool calls of one step in parallel', async () => {
    // Each call waits until all three are running: only parallel execution lets them finish,
    // and no timer races against a loaded machine.
    let running = 0;
    let peak = 0;
    let allRunning: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      allRunning = resolve;
    });
    const slow = tool({
      name: 'slow',
      description: 'waits for the other calls',
      inputSchema: z.object({ id: z.number() }),
      execute: async ({ id }) => {
        running += 1;
        peak = Math.max(peak, running);
        if (running === 3) allRunning();
        await barrier;
        running -= 1;
        return id;
      },
    });
    const journal = startedJournal();
    const calls = [1, 2, 3].map((id) => ({ name: 'slow', input: { id } }));
    await runTurn({
      agent: weatherAgent({ model: scriptedModel([{ toolCalls: calls }, { text: 'ok' }]), tools: [slow] }),
      journal,
    });
    expect(peak).toBe(3);
    const outputs = journal.events.flatMap((event) =>
      event.type === 'tool.result' ? [event.data.output] : [],
    );
    expect(outputs.sort()).toEqual([1, 2, 3]);
  });

  it('stores tool output as JSON, undefined becoming null', async () => {
    const nothing = tool({
      name: 'nothing',
      description: 'returns nothing',
      inputSchema: z.object({}),
      execute: () => undefined,
    });
    const when = tool({
      name: 'when',
      description: 'returns a date',
      inputSchema: z.object({}),
      execute: () => new Date(0),
    });
    const journal = startedJournal();
    const model = scriptedModel([
      {
        toolCalls: [
          { name: 'nothing', input: {} },
          { name: 'when', input: {} },
        ],
      },
      { text: 'ok' },
    ]);
    await runTurn({ agent: weatherAgent({ model, tools: [nothing, when] }), journal });
    const outputs = Object.fromEntries(
      journal.events.flatMap((event) =>
        event.type === 'tool.result' ? [[event.data.name, event.data.output]] : [],
      ),
    );
    expect(outputs).toEqual({ nothing: null, when: '1970-01-01T00:00:00.000Z' });
  });

  it('resolves dynamic instructions from the context, and fails the run saying which agent when they throw', async () => {
    const tenant = contextKey('tenant', z.string(), { default: 'nobody' });
    const seen: string[] = [];
    const answered = await runTurn({
      agent: weatherAgent({
        model: scriptedModel(({ prompt }) => {
          seen.push(prompt[0]?.role === 'system' ? prompt[0].content : '');
          return { text: 'ok' };
        }),
        instructions: ({ context }) => `Serve ${context.get(tenant)}.`,
      }),
      journal: startedJournal(),
      toolContext: { context: { tenant: 'acme' } },
    });
    expect(answered.status).toBe('succeeded');
    expect(seen).toEqual(['Serve acme.']);
    const failed = await runTurn({
      agent: weatherAgent({
        model: scriptedModel([{ text: 'never' }]),
        instructions: () => {
          throw new Error('no prompt today');
        },
      }),
      journal: startedJournal(),
    });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_agent', message: expect.stringContaining('agent weather') },
    });
  });

  it('gives tools a context with signal, ids, the session context and auth', async () => {
    const seen: unknown[] = [];
    const inspect = tool({
      name: 'inspect',
      description: 'records its context',
      inputSchema: z.object({}),
      execute: (_input, context) => {
        const tenant = context.context.get(contextKey('tenant', z.string()));
        seen.push({ ...context, signal: context.signal instanceof AbortSignal, context: { tenant } });
        return 'ok';
      },
    });
    const journal = startedJournal();
    const auth = { initiator: { kind: 'cli' as const, subject: 'me' } };
    await runTurn({
      agent: weatherAgent({
        model: scriptedModel([{ toolCalls: [{ name: 'inspect', input: {} }] }, { text: 'ok' }]),
        tools: [inspect],
      }),
      journal,
      toolContext: { context: { tenant: 'acme' }, auth },
    });
    expect(seen).toEqual([
      {
        signal: true,
        runId: journal.runId,
        sessionId: journal.sessionId,
        toolCallId: 'call_0_0',
        context: { tenant: 'acme' },
        auth,
      },
    ]);
  });

  it('streams text deltas live without persisting them', async () => {
    const journal = startedJournal();
    const deltas: string[] = [];
    journal.subscribe((event) => {
      if (event.type === 'model.delta') deltas.push(event.delta);
    });
    await runTurn({
      agent: weatherAgent({ model: scriptedModel([{ text: 'one two three four' }]) }),
      journal,
    });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('one two three four');
    expect(journal.events.some((event) => (event.type as string) === 'model.delta')).toBe(false);
  });

  it('fails the turn with script_exhausted when the model runs past its script', async () => {
    const journal = startedJournal();
    const model = scriptedModel([{ toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] }]);
    const outcome = await runTurn({ agent: weatherAgent({ model, tools: [weatherTool().tool] }), journal });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'script_exhausted' }, steps: 2 });
  });

  it('fails the turn with a message naming the variable when an API key is missing', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const outcome = await runTurn({
        agent: weatherAgent({ model: 'openai:gpt-4.1-mini' }),
        journal: startedJournal(),
      });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'missing_api_key' } });
      expect(outcome.status === 'failed' && outcome.error.message).toMatch(/OPENAI_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('uses the model override instead of the agent model', async () => {
    const journal = startedJournal();
    const outcome = await runTurn({
      agent: weatherAgent({ model: scriptedModel([{ text: 'agent model' }]) }),
      model: scriptedModel([{ text: 'override' }]),
      journal,
    });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'override' });
  });

  it('adds extra tools to the agent', async () => {
    const extra = tool({
      name: 'mcp__echo',
      description: 'echo',
      inputSchema: z.object({ text: z.string() }),
      execute: ({ text }) => text,
    });
    const journal = startedJournal();
    const model = scriptedModel([
      { toolCalls: [{ name: 'mcp__echo', input: { text: 'hey' } }] },
      { text: 'ok' },
    ]);
    await runTurn({ agent: weatherAgent({ model }), extraTools: [extra], journal });
    expect(journal.events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
      ok: true,
      output: 'hey',
    });
  });

  it('continues the conversation in a follow-up run with the earlier runs as history', async () => {
    const weather = weatherTool();
    const script = [
      ...THREE_CALLS_THEN_ANSWER,
      (request: { lastUserText: string | undefined; step: number }) => ({
        text: `#${request.step}: ${request.lastUserText}`,
      }),
    ];
    const agent = weatherAgent({ model: scriptedModel(script), tools: [weather.tool] });
    const first = startedJournal();
    await runTurn({ agent, journal: first });
    const second = followUpJournal(first.events, 'And tomorrow?');
    const { model, counter } = countingModel(script);
    const outcome = await runTurn({ agent, model, journal: second });
    expect(outcome).toMatchObject({ status: 'succeeded', text: '#4: And tomorrow?', steps: 1 });
    expect(counter.calls).toBe(1);
    expect(verifyChain(second.events).ok).toBe(true);
  });
});
