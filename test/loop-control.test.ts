import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../src/core/agent.js';
import { verifyChain } from '../src/core/events.js';
import { tool } from '../src/core/tool.js';
import { runTurn } from '../src/loop/run-turn.js';
import { fakeClock } from '../src/model/fake-clock.js';
import type { Script, ScriptedRequest } from '../src/model/scripted-model.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import {
  CrashingJournal,
  resumedJournal,
  startedJournal,
  THREE_CALLS_THEN_ANSWER,
  typesOf,
  weatherAgent,
  weatherTool,
} from './loop-fixtures.js';

const loopForever = () => ({
  toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }],
  usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
});

describe('runTurn limits', () => {
  it('fails with max_steps when the run reaches maxSteps without an answer', async () => {
    const journal = startedJournal();
    const agent = weatherAgent({
      model: scriptedModel(loopForever),
      tools: [weatherTool().tool],
      limits: { maxSteps: 3 },
    });
    const outcome = await runTurn({ agent, journal });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'max_steps' }, steps: 3 });
    expect(typesOf(journal.events, journal.runId).at(-1)).toBe('step.completed');
  });

  it('succeeds when the answer comes exactly at maxSteps', async () => {
    const agent = weatherAgent({
      model: scriptedModel(THREE_CALLS_THEN_ANSWER),
      tools: [weatherTool().tool],
      limits: { maxSteps: 4 },
    });
    expect(await runTurn({ agent, journal: startedJournal() })).toMatchObject({
      status: 'succeeded',
      steps: 4,
    });
  });

  it('fails with max_tokens once the run used more tokens than maxTokens', async () => {
    const agent = weatherAgent({
      model: scriptedModel(loopForever),
      tools: [weatherTool().tool],
      limits: { maxTokens: 40 },
    });
    const outcome = await runTurn({ agent, journal: startedJournal() });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'max_tokens' },
      steps: 3,
      usage: { inputTokens: 30, outputTokens: 15 },
    });
  });

  it('fails with max_cost once the run cost more than maxCostUsd', async () => {
    const agent = weatherAgent({
      model: scriptedModel(loopForever),
      tools: [weatherTool().tool],
      limits: { maxCostUsd: 0.025 },
      // A cost limit needs a known price; the script reports each step's cost itself anyway.
      pricing: { inputPerMillionUsd: 1000, outputPerMillionUsd: 0 },
    });
    const outcome = await runTurn({ agent, journal: startedJournal() });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'max_cost' }, steps: 3 });
  });

  it('fails with timeout at the first step boundary past timeoutMs on the injected clock', async () => {
    const clock = fakeClock();
    const slow = tool({
      name: 'get_weather',
      description: 'takes a minute of fake time',
      inputSchema: z.object({ city: z.string() }),
      execute: () => {
        clock.advance(60_000);
        return 'sunny';
      },
    });
    const agent = weatherAgent({
      model: scriptedModel(loopForever),
      tools: [slow],
      limits: { timeoutMs: 90_000 },
    });
    const outcome = await runTurn({ agent, journal: startedJournal(), clock });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'timeout' }, steps: 2 });
  });

  it('aborts a running tool with timeout when timeoutMs passes during the step', async () => {
    const hang = tool({
      name: 'get_weather',
      description: 'waits for its signal',
      inputSchema: z.object({ city: z.string() }),
      execute: (_input, context) =>
        new Promise((_resolve, reject) =>
          context.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    });
    const agent = weatherAgent({
      model: scriptedModel(loopForever),
      tools: [hang],
      limits: { timeoutMs: 50 },
    });
    const outcome = await runTurn({ agent, journal: startedJournal() });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'timeout' }, steps: 1 });
  });
});

describe('runTurn cancellation', () => {
  it('returns cancelled without appending anything when the signal is already aborted', async () => {
    const journal = startedJournal();
    const before = journal.events.length;
    const outcome = await runTurn({
      agent: weatherAgent({ model: scriptedModel([{ text: 'hi' }]) }),
      journal,
      signal: AbortSignal.abort(),
    });
    expect(outcome).toEqual({ status: 'cancelled', usage: { inputTokens: 0, outputTokens: 0 }, steps: 0 });
    expect(journal.events).toHaveLength(before);
  });

  it('cancels during a tool call, passing the abort to the tool and not completing the step', async () => {
    const controller = new AbortController();
    let toolSawAbort = false;
    const hang = tool({
      name: 'get_weather',
      description: 'cancels the run and waits',
      inputSchema: z.object({ city: z.string() }),
      execute: (_input, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener('abort', () => {
            toolSawAbort = true;
            reject(new Error('stopped'));
          });
          controller.abort();
        }),
    });
    const journal = startedJournal();
    const outcome = await runTurn({
      agent: weatherAgent({ model: scriptedModel(loopForever), tools: [hang] }),
      journal,
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({ status: 'cancelled', steps: 1 });
    expect(toolSawAbort).toBe(true);
    // The aborted call keeps `tool.started` without a result, so a resume applies the idempotency rule.
    expect(typesOf(journal.events, journal.runId).slice(-2)).toEqual(['message.completed', 'tool.started']);
    expect(verifyChain(journal.events).ok).toBe(true);
  });

  it('ends the turn when it is cancelled or times out while a tool ignores its signal', async () => {
    const controller = new AbortController();
    const deaf = (onCall: () => void) =>
      tool({
        name: 'get_weather',
        description: 'never settles and never looks at its signal',
        inputSchema: z.object({ city: z.string() }),
        execute: () => {
          onCall();
          return new Promise<never>(() => {});
        },
      });
    const cancelled = runTurn({
      agent: weatherAgent({ model: scriptedModel(loopForever), tools: [deaf(() => controller.abort())] }),
      journal: startedJournal(),
      signal: controller.signal,
    });
    const timedOut = runTurn({
      agent: weatherAgent({
        model: scriptedModel(loopForever),
        tools: [deaf(() => {})],
        limits: { timeoutMs: 50 },
      }),
      journal: startedJournal(),
    });
    expect(await cancelled).toMatchObject({ status: 'cancelled', steps: 1 });
    expect(await timedOut).toMatchObject({ status: 'failed', error: { code: 'timeout' }, steps: 1 });
  });

  it('cancels during a model call', async () => {
    const controller = new AbortController();
    const model = scriptedModel(() => {
      controller.abort();
      return { text: 'too late' };
    });
    const journal = startedJournal();
    const outcome = await runTurn({ agent: weatherAgent({ model }), journal, signal: controller.signal });
    expect(outcome).toMatchObject({ status: 'cancelled', steps: 1 });
    expect(typesOf(journal.events, journal.runId)).not.toContain('message.completed');
  });
});

describe('runTurn inbox', () => {
  it('drains messages delivered during a tool call at the next step boundary, after the tool results', async () => {
    const journal = startedJournal('Weather in Paris?');
    const prompts: string[][] = [];
    const deliverWhileRunning = tool({
      name: 'get_weather',
      description: 'a user writes while this runs',
      inputSchema: z.object({ city: z.string() }),
      execute: () => {
        journal.deliver('Also Rome, please.');
        return 'sunny';
      },
    });
    const model = scriptedModel([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] },
      (request: ScriptedRequest) => {
        prompts.push(request.prompt.map((message) => message.role));
        return { text: `Noted: ${request.lastUserText}` };
      },
    ]);
    const outcome = await runTurn({ agent: weatherAgent({ model, tools: [deliverWhileRunning] }), journal });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Noted: Also Rome, please.', steps: 2 });
    expect(prompts).toEqual([['system', 'user', 'assistant', 'tool', 'user']]);
  });

  it('runs another step when a message arrived while the model was answering', async () => {
    const journal = startedJournal('Hi');
    const model = scriptedModel([
      () => {
        journal.deliver('One more thing!');
        return { text: 'Hello!' };
      },
      (request: ScriptedRequest) => ({ text: `About "${request.lastUserText}"` }),
    ]);
    const outcome = await runTurn({ agent: weatherAgent({ model }), journal });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'About "One more thing!"', steps: 2 });
  });

  it('places a message committed between a tool call and its result after the result when resuming', async () => {
    const prompts: string[][] = [];
    // Crash when the step completes: the log holds tool.started, message.received, tool.result.
    const crashed = new CrashingJournal(startedJournal('Weather in Paris?'), 5);
    const deliverWhileRunning = tool({
      name: 'get_weather',
      description: 'a user writes while this runs',
      inputSchema: z.object({ city: z.string() }),
      execute: () => {
        crashed.deliver('Also Rome, please.');
        return 'sunny';
      },
    });
    const script: Script = [
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] },
      (request: ScriptedRequest) => {
        prompts.push(request.prompt.map((message) => message.role));
        return { text: 'ok' };
      },
    ];
    const agent = weatherAgent({ model: scriptedModel(script), tools: [deliverWhileRunning] });
    await expect(runTurn({ agent, journal: crashed })).rejects.toThrow();
    expect(typesOf(crashed.events, crashed.runId).slice(-3)).toEqual([
      'tool.started',
      'message.received',
      'tool.result',
    ]);
    const outcome = await runTurn({ agent, journal: resumedJournal(crashed) });
    expect(outcome.status).toBe('succeeded');
    expect(prompts).toEqual([['system', 'user', 'assistant', 'tool', 'user']]);
  });
});

describe('runTurn handoffs', () => {
  const billingTool = tool({
    name: 'refund',
    description: 'refunds',
    inputSchema: z.object({}),
    execute: () => 'refunded',
  });

  function agents(billingScript: Script) {
    const billing = defineAgent({
      name: 'billing',
      instructions: 'You handle billing.',
      model: scriptedModel(billingScript),
      tools: [billingTool],
    });
    const triage = defineAgent({
      name: 'triage',
      instructions: 'You route requests.',
      model: scriptedModel([{ toolCalls: [{ name: 'transfer_to_billing', input: {} }] }]),
      handoffs: [billing],
    });
    return { triage, billing };
  }

  it('switches the active agent, its instructions and its tools after a transfer_to_<name> call', async () => {
    const seen: unknown[] = [];
    const { triage } = agents([
      { text: 'unused' },
      (request: ScriptedRequest) => {
        seen.push(request.prompt[0]);
        return { toolCalls: [{ name: 'refund', input: {} }] };
      },
      { text: 'Refunded.' },
    ]);
    const journal = startedJournal('I want my money back');
    const outcome = await runTurn({ agent: triage, journal });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Refunded.', steps: 3 });
    expect(seen).toEqual([{ role: 'system', content: 'You handle billing.' }]);
    const results = journal.events.flatMap((event) => (event.type === 'tool.result' ? [event.data] : []));
    expect(results.map((result) => [result.name, result.ok, result.output])).toEqual([
      ['transfer_to_billing', true, { agent: 'billing' }],
      ['refund', true, 'refunded'],
    ]);
  });

  it('keeps the handed-off agent active when the run resumes', async () => {
    const { triage } = agents([{ text: 'unused' }, { text: 'Billing speaking.' }]);
    // Crash at step 2's step.started: the handoff step is complete in the log.
    const crashed = new CrashingJournal(startedJournal(), 9);
    await expect(runTurn({ agent: triage, journal: crashed })).rejects.toThrow();
    const outcome = await runTurn({ agent: triage, journal: resumedJournal(crashed) });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Billing speaking.' });
  });

  it.each([
    ['admission.checked', 6],
    ['handoff.occurred', 7],
    ['step.completed', 8],
  ])('commits the handoff once when the run crashes at its %s', async (_event, crashAt) => {
    const { triage } = agents([{ text: 'unused' }, { text: 'Billing.' }]);
    const crashed = new CrashingJournal(startedJournal(), crashAt);
    await expect(runTurn({ agent: triage, journal: crashed })).rejects.toThrow();
    const resumed = resumedJournal(crashed);
    expect(await runTurn({ agent: triage, journal: resumed })).toMatchObject({
      status: 'succeeded',
      text: 'Billing.',
    });
    const types = resumed.events.map((event) => event.type);
    // One verdict at the start, one for the handoff, one handoff.
    expect(types.filter((type) => type === 'admission.checked')).toHaveLength(2);
    expect(types.filter((type) => type === 'handoff.occurred')).toHaveLength(1);
  });

  it('applies a handoff committed in a step that was interrupted before it completed', async () => {
    const { triage } = agents([{ text: 'unused' }, { text: 'Billing after the crash.' }]);
    // Crash at step 1's step.completed: the transfer result is committed, the step is not.
    const crashed = new CrashingJournal(startedJournal(), 8);
    await expect(runTurn({ agent: triage, journal: crashed })).rejects.toThrow();
    const outcome = await runTurn({ agent: triage, journal: resumedJournal(crashed) });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Billing after the crash.', steps: 2 });
  });
});
