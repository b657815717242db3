import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../src/core/errors.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { runTurn } from '../src/loop/run-turn.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import {
  CrashingJournal,
  countingModel,
  resumedJournal,
  startedJournal,
  THREE_CALLS_THEN_ANSWER,
  weatherAgent,
  weatherTool,
} from './loop-fixtures.js';

/** Appends runTurn makes for THREE_CALLS_THEN_ANSWER: 3 tool steps of 5 events, then 3 for the answer. */
const APPENDS = 18;
const TOOL_RESULT_APPENDS = new Set([4, 9, 14]);

function ofType<T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T): BatonEvent<T>[] {
  return events.filter((event) => event.type === type) as BatonEvent<T>[];
}

async function crashThenResume(crashAt: number, idempotent: boolean) {
  const weather = weatherTool({ idempotent });
  const crashed = new CrashingJournal(startedJournal(), crashAt);
  const first = countingModel(THREE_CALLS_THEN_ANSWER);
  const crash = await runTurn({
    agent: weatherAgent({ model: first.model, tools: [weather.tool] }),
    journal: crashed,
  }).catch((error: unknown) => error);
  const journal = resumedJournal(crashed);
  const second = countingModel(THREE_CALLS_THEN_ANSWER);
  const outcome = await runTurn({
    agent: weatherAgent({ model: second.model, tools: [weather.tool] }),
    journal,
  });
  return { crash, outcome, journal, weather, modelCalls: first.counter.calls + second.counter.calls };
}

describe('runTurn resume', () => {
  it('propagates a journal failure (LeaseLostError) as an exception, not an outcome', async () => {
    const { crash } = await crashThenResume(3, false);
    expect(crash).toBeInstanceOf(LeaseLostError);
  });

  for (let crashAt = 1; crashAt <= APPENDS; crashAt += 1) {
    it(`finishes the run after a crash at append ${crashAt} without redoing committed work`, async () => {
      const { outcome, journal, weather, modelCalls } = await crashThenResume(crashAt, false);
      expect(outcome).toMatchObject({
        status: 'succeeded',
        text: 'Sunny in Paris, Oslo and Rome.',
        steps: 4,
      });
      expect(verifyChain(journal.events).ok).toBe(true);
      // Each step is started once and completed once, whatever the crash point.
      expect(ofType(journal.events, 'step.started').map((event) => event.data.step)).toEqual([1, 2, 3, 4]);
      expect(ofType(journal.events, 'step.completed').map((event) => event.data.step)).toEqual([1, 2, 3, 4]);
      expect(ofType(journal.events, 'message.completed')).toHaveLength(4);
      // A committed model response is never requested again; a lost one (crash at its append) is.
      const lostResponses = [2, 7, 12, 17].includes(crashAt) ? 1 : 0;
      expect(modelCalls).toBe(4 + lostResponses);
      // The non-idempotent tool ran at most once per call.
      expect(weather.calls).toEqual(['Paris', 'Oslo', 'Rome']);
      const results = ofType(journal.events, 'tool.result');
      expect(results).toHaveLength(3);
      const interrupted = results.filter((event) => event.data.error?.code === 'interrupted');
      expect(interrupted).toHaveLength(TOOL_RESULT_APPENDS.has(crashAt) ? 1 : 0);
    });
  }

  it('runs an idempotent tool again when it started but has no result', async () => {
    const { outcome, journal, weather } = await crashThenResume(4, true);
    expect(outcome.status).toBe('succeeded');
    expect(weather.calls).toEqual(['Paris', 'Paris', 'Oslo', 'Rome']);
    expect(ofType(journal.events, 'tool.result').every((event) => event.data.ok)).toBe(true);
  });

  it('gives a non-idempotent tool that started without a result an interrupted error the model sees', async () => {
    const { journal, weather } = await crashThenResume(4, false);
    expect(weather.calls).toEqual(['Paris', 'Oslo', 'Rome']);
    const first = ofType(journal.events, 'tool.result')[0];
    expect(first?.data).toMatchObject({
      toolCallId: 'call_0_0',
      ok: false,
      output: null,
      error: { code: 'interrupted' },
    });
  });

  it('reuses a committed tool result instead of running the tool again', async () => {
    const { weather, journal } = await crashThenResume(5, false);
    expect(weather.calls).toEqual(['Paris', 'Oslo', 'Rome']);
    expect(ofType(journal.events, 'tool.started')).toHaveLength(3);
  });

  it('finishes without calling the model when the final answer was committed before the crash', async () => {
    const crashed = new CrashingJournal(startedJournal(), APPENDS);
    const agent = weatherAgent({
      model: countingModel(THREE_CALLS_THEN_ANSWER).model,
      tools: [weatherTool().tool],
    });
    await expect(runTurn({ agent, journal: crashed })).rejects.toBeInstanceOf(LeaseLostError);
    const { model, counter } = countingModel(THREE_CALLS_THEN_ANSWER);
    const outcome = await runTurn({
      agent: weatherAgent({ model, tools: [weatherTool().tool] }),
      journal: resumedJournal(crashed),
    });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'Sunny in Paris, Oslo and Rome.' });
    expect(counter.calls).toBe(0);
  });

  it('counts usage of earlier attempts toward the run', async () => {
    const { outcome } = await crashThenResume(9, false);
    expect(outcome.usage).toEqual({ inputTokens: 100, outputTokens: 23 });
  });

  it('continues a failed run retried under the same id from its incomplete step', async () => {
    const weather = weatherTool();
    const journal = startedJournal();
    const short = weatherAgent({
      model: scriptedModel(THREE_CALLS_THEN_ANSWER.slice(0, 1)),
      tools: [weather.tool],
    });
    expect(await runTurn({ agent: short, journal })).toMatchObject({
      status: 'failed',
      error: { code: 'script_exhausted' },
    });
    // The runtime records the failure and, on retry, a second attempt of the same run.
    journal.record({
      type: 'run.failed',
      data: { error: { code: 'script_exhausted', message: 'past the script' } },
    });
    journal.record({ type: 'run.started', data: { agent: 'weather', attempt: 2, definitionHash: 'test' } });
    const full = weatherAgent({ model: scriptedModel(THREE_CALLS_THEN_ANSWER), tools: [weather.tool] });
    const outcome = await runTurn({ agent: full, journal: resumedJournal(journal) });
    expect(outcome).toMatchObject({ status: 'succeeded', steps: 4 });
    expect(weather.calls).toEqual(['Paris', 'Oslo', 'Rome']);
  });
});

/** Runs a turn through successive crashes, each attempt losing its lease after `every` appends, until it ends. */
async function runThroughCrashes(every: number, steps: number, idempotent: boolean) {
  const weather = weatherTool({ idempotent });
  const script = (request: { step: number }) =>
    request.step < steps - 1
      ? {
          toolCalls: [
            { name: 'get_weather', input: { city: `A${request.step}` } },
            { name: 'get_weather', input: { city: `B${request.step}` } },
          ],
        }
      : { text: 'done' };
  const agent = weatherAgent({ model: scriptedModel(script), tools: [weather.tool] });
  let journal = startedJournal();
  for (let attempt = 1; ; attempt += 1) {
    const crashing = new CrashingJournal(journal, every + 1);
    try {
      return {
        outcome: await runTurn({ agent, journal: crashing }),
        journal: crashing,
        weather,
        attempts: attempt,
      };
    } catch (error) {
      expect(error).toBeInstanceOf(LeaseLostError);
      journal = resumedJournal(crashing);
    }
  }
}

describe('runTurn through repeated crashes', () => {
  const crashIntervals = process.env.BATON_TORTURE === '1' ? [1, 2, 3, 4, 5, 6, 7, 9, 11, 13] : [1, 3, 7];
  const steps = process.env.BATON_TORTURE === '1' ? 40 : 8;
  for (const every of crashIntervals) {
    it(`completes a ${steps}-step run with two parallel calls per step when every attempt crashes after ${every} appends`, async () => {
      const { outcome, journal, weather } = await runThroughCrashes(every, steps, false);
      expect(outcome).toMatchObject({ status: 'succeeded', text: 'done', steps });
      expect(verifyChain(journal.events).ok).toBe(true);
      const results = ofType(journal.events, 'tool.result');
      expect(results).toHaveLength(2 * (steps - 1));
      // Non-idempotent effects happen at most once per call.
      expect(new Set(weather.calls).size).toBe(weather.calls.length);
      expect(ofType(journal.events, 'step.completed').map((event) => event.data.step)).toEqual(
        Array.from({ length: steps }, (_, index) => index + 1),
      );
    });
  }
});
