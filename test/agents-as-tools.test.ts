import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BatonEvent, Store } from '../src/index.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { checkLog } from './fixtures/runtime-agents.js';
import type { Executions } from './fixtures/specialists.js';
import { coordinator, specialist } from './fixtures/specialists.js';
import { suiteStores } from './helpers/suite-stores.js';

const { stores: STORES, track } = suiteStores('agents-as-tools', { poolSize: 4 });

function dataOf<T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T) {
  return events.flatMap((event) =>
    event.type === type ? [event.data as Extract<BatonEvent, { type: T }>['data']] : [],
  );
}

describe.each(Object.keys(STORES))('agents as tools (%s)', (storeName) => {
  const open = STORES[storeName] as () => Promise<Store>;

  it('runs each specialist in a child session, waits holding no worker, and answers with all three', async () => {
    const executions: Executions = {};
    const specialists = ['billing', 'legal', 'tech'].map((name) => specialist(name, executions));
    const runtime = createRuntime({ store: await open(), agents: [coordinator(specialists)] });
    track(runtime);
    const { sessionId, runId } = await runtime.start({ agent: 'coordinator', message: 'help' });
    // Only the parent executes: it starts its children and parks.
    const parked = await runtime.execute(runId);
    // Held by no worker: the lease is owned by nobody, it only says when the sweep looks again.
    expect(parked).toMatchObject({
      status: 'waiting',
      waitingOn: 'children',
      lease: { owner: 'baton:waiting' },
    });
    expect(await runtime.getRun(runId)).toMatchObject({ waitingOn: 'children' });
    expect(await runtime.getSession(sessionId)).toMatchObject({
      status: 'running',
      runs: [{ id: runId, waitingOn: 'children' }],
    });
    const waitingLog = await runtime.store.readEvents(sessionId);
    expect(dataOf(waitingLog, 'run.waiting').at(-1)).toMatchObject({ waitingOn: 'children' });
    const started = dataOf(waitingLog, 'subagent.started');
    expect(started.map((entry) => entry.agent).sort()).toEqual(['billing', 'legal', 'tech']);
    for (const entry of started) {
      const child = await runtime.store.getSession(entry.childSessionId);
      expect(child).toMatchObject({ parentSessionId: sessionId, parentToolCallId: entry.toolCallId });
    }
    const worker = runtime.startWorker({ concurrency: 4, pollIntervalMs: 20 });
    try {
      await waitFor(async () => (await runtime.getRun(runId)).status === 'succeeded', { timeoutMs: 60_000 });
    } finally {
      await worker.stop();
    }
    expect(executions).toEqual({ billing: 1, legal: 1, tech: 1 });
    const events = await runtime.store.readEvents(sessionId);
    checkLog(events);
    const completed = dataOf(events, 'subagent.completed');
    expect(completed).toHaveLength(3);
    expect(completed.every((entry) => entry.status === 'succeeded')).toBe(true);
    const answer = dataOf(events, 'run.completed').at(-1)?.text ?? '';
    for (const name of ['billing', 'legal', 'tech']) expect(answer).toContain(`${name} says:`);
    // Usage rolls up: the parent's two model calls plus each child's two.
    const run = await runtime.getRun(runId);
    expect(run.usage).toMatchObject({ inputTokens: 30 + 3 * 8, outputTokens: 14 + 3 * 6 });
  });

  it("clamps a child's limits to the parent's remaining budget at admission, and the child is held to them", async () => {
    let loops = 0;
    const looper = defineAgent({
      name: 'looper',
      description: 'Never stops on its own',
      instructions: 'Keep going.',
      limits: { maxSteps: 50 },
      model: scriptedModel(() => ({ toolCalls: [{ name: 'again', input: {} }] })),
      tools: [
        tool({
          name: 'again',
          description: 'One more',
          inputSchema: z.object({}),
          execute: () => {
            loops += 1;
            return loops;
          },
        }),
      ],
    });
    const parent = defineAgent({
      name: 'boss',
      instructions: 'Delegate.',
      limits: { maxSteps: 4 },
      model: scriptedModel((request) =>
        request.lastRole === 'tool'
          ? { text: 'gave up' }
          : { toolCalls: [{ name: 'looper', input: { input: 'go' } }] },
      ),
      tools: [looper.asTool()],
    });
    const runtime = createRuntime({ store: await open(), agents: [parent] });
    track(runtime);
    const { sessionId, runId } = await runtime.start({ agent: 'boss', message: 'go' });
    const run = await runtime.executeTree(runId);
    expect(run.status).toBe('succeeded');
    const events = await runtime.store.readEvents(sessionId);
    const [checked] = dataOf(events, 'admission.checked');
    expect(checked).toMatchObject({
      ok: true,
      toolCallId: expect.any(String),
      clamps: [{ invariant: 'budgetCeiling', agent: 'looper', limits: { maxSteps: 3 } }],
    });
    const [completed] = dataOf(events, 'subagent.completed');
    expect(completed).toMatchObject({ status: 'failed', output: { code: 'max_steps' } });
    expect(loops).toBe(3);
    const result = dataOf(events, 'tool.result').find((entry) => entry.name === 'looper');
    expect(result).toMatchObject({ ok: false, error: { code: 'child_failed' } });
  });

  it("wakes a parent whose child's end was never recorded on it (the child's worker died in between)", async () => {
    const runtime = createRuntime({ store: await open(), agents: [coordinator([specialist('solo', {})])] });
    track(runtime);
    const { sessionId, runId } = await runtime.start({ agent: 'coordinator', message: 'help' });
    expect((await runtime.execute(runId)).status).toBe('waiting');
    const [started] = dataOf(await runtime.store.readEvents(sessionId), 'subagent.started');
    const [child] = (await runtime.listRuns({ sessionId: started?.childSessionId ?? '' })).items;
    // The child ended, but nobody told the parent: its commit landed, the process died.
    await runtime.store.updateRun(child?.id ?? '', { status: 'succeeded', result: { text: 'late answer' } });
    const parked = await runtime.store.getRun(runId);
    await runtime.store.updateRun(runId, {
      lease: { owner: parked?.lease?.owner ?? '', token: parked?.lease?.token ?? '', expiresAt: 0 },
    });
    const worker = runtime.startWorker({ pollIntervalMs: 20 });
    try {
      await waitFor(async () => (await runtime.getRun(runId)).status === 'succeeded', { timeoutMs: 60_000 });
    } finally {
      await worker.stop();
    }
    const events = await runtime.store.readEvents(sessionId);
    expect(dataOf(events, 'subagent.completed')).toEqual([
      expect.objectContaining({ childSessionId: started?.childSessionId, output: 'late answer' }),
    ]);
    expect(dataOf(events, 'run.completed').at(-1)?.text).toContain('late answer');
  });
});
