import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { LeaseLostError } from '../src/core/errors.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { guardrail } from '../src/core/guardrail.js';
import { tool } from '../src/core/tool.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import type { ScriptEntry } from '../src/testing/index.js';
import { countingModel } from './loop-fixtures.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A real SQLite file whose `append` calls (one transaction each) are counted, and can fail like a crash. */
async function countingStore(failAt?: number) {
  const directory = mkdtempSync(join(tmpdir(), 'baton-step-tx-'));
  directories.push(directory);
  const store = await openStore(join(directory, 'baton.db'));
  const counter = { appends: 0, failAt };
  const append: Store['append'] = (sessionId, drafts, options) => {
    counter.appends += 1;
    // The commit never happens: to the loop this is a crash at that transaction.
    if (counter.appends === counter.failAt) return Promise.reject(new LeaseLostError(options.runId));
    return store.append(sessionId, drafts, options);
  };
  // SqliteStore keeps private fields, so every other method is called on the store itself.
  const counted = new Proxy(store, {
    get: (target, key) => {
      if (key === 'append') return append;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, raw: store, counter };
}

/** Tools that count their executions: `lookup` is idempotent, `book` is not. */
function tools() {
  const calls = { lookup: 0, book: 0 };
  const lookup = tool({
    name: 'lookup',
    description: 'looks something up',
    inputSchema: z.object({ q: z.string() }),
    idempotent: true,
    execute: ({ q }) => {
      calls.lookup += 1;
      return { q };
    },
  });
  const book = tool({
    name: 'book',
    description: 'books something, once',
    inputSchema: z.object({ q: z.string() }),
    execute: ({ q }) => {
      calls.book += 1;
      return { booked: q };
    },
  });
  return { calls, tools: [lookup, book] };
}

function agentWith(script: ScriptEntry[]) {
  const toolset = tools();
  const counting = countingModel(script);
  const agent = defineAgent({
    name: 'steps',
    instructions: 'Use the tools.',
    tools: toolset.tools,
    model: counting.model,
  });
  return { agent, calls: toolset.calls, model: counting.counter };
}

const lookupStep: ScriptEntry = { toolCalls: [{ name: 'lookup', input: { q: 'a' } }] };
const bookStep: ScriptEntry = { toolCalls: [{ name: 'book', input: { q: 'b' } }] };
const answer: ScriptEntry = { text: 'done' };

async function runOnce(store: Store, script: ScriptEntry[]) {
  const subject = agentWith(script);
  const runtime = createRuntime({ store, agents: [subject.agent] });
  const { runId, sessionId } = await runtime.start({ agent: 'steps', message: 'go' });
  const run = await runtime.execute(runId);
  await runtime.close();
  return { run, runId, sessionId, ...subject };
}

const typesOf = (events: readonly BatonEvent[]) => events.map((event) => event.type);

describe('transactions of a step', () => {
  it('commits a step with an idempotent tool in two transactions, keeping every event in order', async () => {
    const { store, raw, counter } = await countingStore();
    const { run, sessionId } = await runOnce(store, [lookupStep, answer]);
    expect(run.status).toBe('succeeded');
    const events = await raw.readEvents(sessionId);
    expect(typesOf(events)).toEqual([
      'session.started',
      'message.received',
      'run.started',
      'step.started',
      'message.completed',
      'tool.started',
      'tool.result',
      'step.completed',
      'step.started',
      'message.completed',
      'step.completed',
      'run.completed',
    ]);
    // run.started, 2 for the tool step, one for the answer step with the run's end.
    expect(counter.appends).toBe(4);
    await raw.close();
  });

  it('commits tool.started of a non-idempotent tool on its own, before the tool runs', async () => {
    const { store, raw, counter } = await countingStore();
    const { run } = await runOnce(store, [bookStep, answer]);
    expect(run.status).toBe('succeeded');
    expect(counter.appends).toBe(5);
    await raw.close();
  });

  it('commits an answer before an output guardrail screens it', async () => {
    const { store, raw, counter } = await countingStore();
    const seen: string[][] = [];
    const counting = countingModel([answer]);
    const agent = defineAgent({
      name: 'steps',
      instructions: 'Answer.',
      model: counting.model,
      guardrails: [
        guardrail({
          name: 'look',
          on: 'output',
          check: async (_text, { sessionId }) => {
            seen.push(typesOf(await raw.readEvents(sessionId)));
            return { tripwire: false };
          },
        }),
      ],
    });
    const runtime = createRuntime({ store, agents: [agent] });
    const { runId } = await runtime.start({ agent: 'steps', message: 'go' });
    expect((await runtime.execute(runId)).status).toBe('succeeded');
    await runtime.close();
    // A slow guardrail (a model of its own) must not put a paid-for answer at risk.
    expect(seen).toEqual([
      [
        'session.started',
        'message.received',
        'run.started',
        'step.started',
        'message.completed',
        'step.completed',
      ],
    ]);
    expect(counter.appends).toBe(3);
    await raw.close();
  });

  // Every transaction of a run with a parallel idempotent + non-idempotent step, in turn, fails
  // like a crash; a new worker then resumes the run from what was committed.
  const parallelStep: ScriptEntry = {
    toolCalls: [
      { name: 'lookup', input: { q: 'a' } },
      { name: 'book', input: { q: 'b' } },
    ],
  };
  const script = [parallelStep, answer];
  for (let failAt = 2; failAt <= 6; failAt += 1) {
    it(`resumes without redoing committed work after a crash at transaction ${failAt}`, async () => {
      const { store, raw, counter } = await countingStore(failAt);
      const first = await runOnce(store, script);
      expect(first.run.status).toBe('running');
      counter.failAt = undefined;
      const second = agentWith(script);
      const resumedRuntime = createRuntime({ store: raw, agents: [second.agent] });
      const resumed = await resumedRuntime.execute(first.runId);
      await resumedRuntime.close();
      expect(resumed.status).toBe('succeeded');
      // Transactions 2 and 6 hold a model response (6: the answer, with the run's end): losing
      // one costs one more model call; losing any other, none.
      expect(first.model.calls + second.model.calls).toBe(failAt === 2 || failAt === 6 ? 3 : 2);
      const events = await raw.readEvents(first.sessionId);
      expect(verifyChain(events).ok).toBe(true);
      const steps = (type: 'step.started' | 'step.completed') =>
        events.flatMap((event) => (event.type === type ? [event.data.step] : []));
      expect(steps('step.started')).toEqual([1, 2]);
      expect(steps('step.completed')).toEqual([1, 2]);
      expect(events.filter((event) => event.type === 'message.completed')).toHaveLength(2);
      // The non-idempotent tool ran at most once over both attempts.
      expect(first.calls.book + second.calls.book).toBeLessThanOrEqual(1);
      await raw.close();
    });
  }
});
