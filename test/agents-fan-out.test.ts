import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Agent, BatonEvent, FanOutResult, Store } from '../src/index.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { toolOutputs } from './fixtures/specialists.js';
import { suiteStores } from './helpers/suite-stores.js';

const { stores: STORES, track } = suiteStores('fan-out', { poolSize: 6 });

/** A worker agent whose one tool call is `work` (which `hold` may keep running), then it answers. */
function workerAgent(hold: (input: string, signal: AbortSignal) => Promise<void>): Agent {
  return defineAgent({
    name: 'worker',
    description: 'Does one item of work',
    instructions: 'Do the work.',
    model: scriptedModel((request) =>
      request.lastRole === 'user'
        ? { toolCalls: [{ name: 'work', input: { item: request.lastUserText ?? '' } }] }
        : { text: `done ${String(toolOutputs(request.prompt).at(-1))}` },
    ),
    tools: [
      tool({
        name: 'work',
        description: 'Works on an item',
        inputSchema: z.object({ item: z.string() }),
        execute: async ({ item }, context) => {
          await hold(item, context.signal);
          return item;
        },
      }),
    ],
  });
}

function fanOutCoordinator(child: Agent, items: number): Agent {
  return defineAgent({
    name: 'planner',
    instructions: 'Split the work.',
    model: scriptedModel((request) =>
      request.lastRole === 'user'
        ? {
            toolCalls: [
              { name: 'workers', input: { inputs: Array.from({ length: items }, (_, i) => `item-${i}`) } },
            ],
          }
        : { text: `all: ${JSON.stringify(toolOutputs(request.prompt).at(-1))}` },
    ),
    tools: [child.asTool({ name: 'workers', fanOut: { maxParallel: 3 } })],
  });
}

function dataOf<T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T) {
  return events.flatMap((event) =>
    event.type === type ? [event.data as Extract<BatonEvent, { type: T }>['data']] : [],
  );
}

describe.each(Object.keys(STORES))('fan-out (%s)', (storeName) => {
  const open = STORES[storeName] as () => Promise<Store>;

  it('runs 10 children with never more than 3 at once and returns every outcome in completion order', async () => {
    // The concurrency probe: how many children work at once, at most.
    const probe = { active: 0, max: 0, runs: 0 };
    const child = workerAgent(async () => {
      probe.active += 1;
      probe.runs += 1;
      probe.max = Math.max(probe.max, probe.active);
      await new Promise((resolve) => setTimeout(resolve, 30));
      probe.active -= 1;
    });
    const runtime = createRuntime({ store: await open(), agents: [fanOutCoordinator(child, 10)] });
    track(runtime);
    const { sessionId, runId } = await runtime.start({ agent: 'planner', message: 'go' });
    const worker = runtime.startWorker({ concurrency: 8, pollIntervalMs: 10 });
    try {
      await waitFor(async () => (await runtime.getRun(runId)).status === 'succeeded', { timeoutMs: 120_000 });
    } finally {
      await worker.stop();
    }
    expect(probe.runs).toBe(10);
    expect(probe.max).toBeLessThanOrEqual(3);
    expect(probe.max).toBeGreaterThan(0);
    const events = await runtime.store.readEvents(sessionId);
    expect(dataOf(events, 'subagent.started')).toHaveLength(10);
    const completed = dataOf(events, 'subagent.completed');
    expect(completed).toHaveLength(10);
    const progress = dataOf(events, 'fanout.progress');
    expect(progress.at(-1)).toMatchObject({ completed: 10, total: 10 });
    const result = dataOf(events, 'tool.result').find((entry) => entry.name === 'workers')
      ?.output as FanOutResult;
    expect(result.outcomes.map((entry) => entry.childSessionId)).toEqual(
      completed.map((entry) => entry.childSessionId),
    );
    expect(result.outcomes.map((entry) => entry.index).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(result.cancelled).toEqual([]);
  });

  it('cancels the running children when the parent is cancelled, and starts no more', async () => {
    let running = 0;
    const child = workerAgent(
      (_item, signal) =>
        new Promise<void>((_resolve, reject) => {
          running += 1;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    );
    const runtime = createRuntime({ store: await open(), agents: [fanOutCoordinator(child, 10)] });
    track(runtime);
    const { sessionId, runId } = await runtime.start({ agent: 'planner', message: 'go' });
    const worker = runtime.startWorker({ concurrency: 8, pollIntervalMs: 10 });
    try {
      await waitFor(() => running === 3, { timeoutMs: 60_000 });
      await waitFor(async () => (await runtime.getRun(runId)).status === 'waiting', { timeoutMs: 60_000 });
      await runtime.cancel(runId);
      const children = dataOf(await runtime.store.readEvents(sessionId), 'subagent.started');
      expect(children).toHaveLength(3);
      await waitFor(
        async () => {
          for (const { childSessionId } of children) {
            const [run] = (await runtime.listRuns({ sessionId: childSessionId })).items;
            if (run?.status !== 'cancelled') return false;
          }
          return true;
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      await worker.stop();
    }
    expect((await runtime.getRun(runId)).status).toBe('cancelled');
    expect(running).toBe(3);
    expect(dataOf(await runtime.store.readEvents(sessionId), 'subagent.started')).toHaveLength(3);
  });
});
