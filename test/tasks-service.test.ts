import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { tool } from '../src/core/tool.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import { createTaskService } from '../src/delegation/task-service.js';
import type { TaskService, TaskView } from '../src/delegation/task-types.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import type { Runtime } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';

const echo = defineAgent({
  name: 'echo',
  instructions: 'Echo.',
  model: scriptedModel((request) => ({
    text: `echo: ${request.lastUserText ?? ''}`,
    usage: { inputTokens: 3, outputTokens: 2, costUsd: 0.25 },
  })),
});

/** Resolves when the test says so, whatever the signal says: work that ignores cancellation. */
function stubbornAgent(started: () => void, release: Promise<void>) {
  const hold = tool({
    name: 'hold',
    description: 'Waits for the test, ignoring aborts.',
    inputSchema: z.object({}),
    async execute() {
      started();
      await release;
      return 'released';
    },
  });
  return defineAgent({
    name: 'stubborn',
    instructions: 'Hold.',
    tools: [hold],
    model: scriptedModel((request) =>
      request.lastRole === 'tool'
        ? { text: 'finished anyway' }
        : { toolCalls: [{ name: 'hold', input: {} }] },
    ),
  });
}

/** Generous deadline: the suite runs files in parallel on 2 cores. */
const SETTLE_MS = 30_000;

function waitForTask(tasks: TaskService, taskId: string, done: (task: TaskView) => boolean) {
  return waitFor(
    async () => {
      const task = await tasks.getTask(taskId);
      return done(task) && task;
    },
    { timeoutMs: SETTLE_MS, message: `task ${taskId} to settle` },
  );
}

const terminal = (task: TaskView) => ['completed', 'failed', 'cancelled'].includes(task.status);

describe('the task service', () => {
  let dir: string;
  let store: SqliteStore;
  let runtime: Runtime | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tasks-'));
    store = new SqliteStore(join(dir, 'baton.db'));
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a task from pending through running to completed with result, cost and timestamps', async () => {
    runtime = createRuntime({ store, agents: [echo] });
    const tasks = runtimeTaskService(runtime);
    const { taskId, reused } = await tasks.submitTask({ profile: 'agent:echo', args: { message: 'hi' } });
    expect(reused).toBe(false);
    const pending = await tasks.getTask(taskId);
    expect(pending).toMatchObject({ taskId, status: 'pending', startedAt: null, completedAt: null });
    runtime.startWorker({ concurrency: 1 });
    const done = await waitForTask(tasks, taskId, terminal);
    expect(done).toMatchObject({
      status: 'completed',
      progress: { iteration: 1, phase: expect.any(String) },
      result: { text: 'echo: hi' },
      error: null,
      costUsd: 0.25,
      startedAt: expect.any(String),
      completedAt: expect.any(String),
    });
  });

  it('reuses a task for the same default or explicit idempotency key, not across namespaces', async () => {
    const tasks = createTaskService({ store, agents: new Map([['echo', echo]]) });
    const first = await tasks.submitTask({ profile: 'agent:echo', args: { message: 'a' }, namespace: 'n1' });
    expect(
      await tasks.submitTask({ profile: 'agent:echo', args: { message: 'a' }, namespace: 'n1' }),
    ).toEqual({
      taskId: first.taskId,
      reused: true,
    });
    const other = await tasks.submitTask({ profile: 'agent:echo', args: { message: 'a' }, namespace: 'n2' });
    expect(other.reused).toBe(false);
    expect(other.taskId).not.toBe(first.taskId);
    const keyed = await tasks.submitTask({
      profile: 'agent:echo',
      args: { message: 'b' },
      idempotencyKey: 'k',
    });
    expect(
      await tasks.submitTask({ profile: 'agent:echo', args: { message: 'c' }, idempotencyKey: 'k' }),
    ).toEqual({
      taskId: keyed.taskId,
      reused: true,
    });
  });

  it('marks a task cancelled at once even when its work ignores the signal, and keeps it cancelled', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const holding = new Promise<void>((resolve) => {
      started = resolve;
    });
    runtime = createRuntime({ store, agents: [stubbornAgent(started, released)] });
    const tasks = runtimeTaskService(runtime);
    const { taskId } = await tasks.submitTask({ profile: 'agent:stubborn', args: { message: 'go' } });
    runtime.startWorker({ concurrency: 1 });
    await holding;
    expect((await tasks.getTask(taskId)).status).toBe('running');
    const cancelled = await tasks.cancelTask(taskId);
    expect(cancelled).toMatchObject({ status: 'cancelled', completedAt: expect.any(String) });
    release();
    const runId = cancelled.runId as string;
    const run = await waitFor(
      async () => {
        const value = await store.getRun(runId);
        return ['succeeded', 'failed', 'cancelled'].includes(value?.status ?? '') && value;
      },
      { timeoutMs: SETTLE_MS, message: `run ${runId} to end` },
    );
    expect(run?.status).toBe('cancelled');
    expect((await tasks.getTask(taskId)).status).toBe('cancelled');
  });

  it('lists history newest first, 50 by default and at most 500', async () => {
    const tasks = createTaskService({ store, agents: new Map([['echo', echo]]) });
    const ids: string[] = [];
    for (let index = 0; index < 501; index++) {
      ids.push((await tasks.submitTask({ profile: 'agent:echo', args: { message: `m${index}` } })).taskId);
    }
    const page = await tasks.history();
    expect(page).toHaveLength(50);
    expect(page.map((task) => task.taskId)).toEqual(ids.slice(-50).reverse());
    expect(await tasks.history({ limit: 1000 })).toHaveLength(500);
    expect(await tasks.history({ limit: 3, profile: 'agent:echo', namespace: 'default' })).toHaveLength(3);
    expect(await tasks.history({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });

  it('evicts the oldest terminal tasks beyond the retention cap and keeps unfinished ones', async () => {
    const tasks = createTaskService({ store, agents: new Map([['echo', echo]]), retention: 2 });
    const submit = async (message: string) =>
      (await tasks.submitTask({ profile: 'agent:echo', args: { message } })).taskId;
    const [a, b, c, open] = [await submit('a'), await submit('b'), await submit('c'), await submit('open')];
    for (const id of [a, b, c]) await tasks.cancelTask(id);
    const kept = (await tasks.history()).map((task) => task.taskId);
    expect(kept).toEqual([open, c, b]);
    await expect(tasks.getTask(a)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('attaches feedback with a score in 0..1 and refuses bad ratings and unknown tasks', async () => {
    const tasks = createTaskService({ store, agents: new Map([['echo', echo]]) });
    const { taskId } = await tasks.submitTask({ profile: 'agent:echo', args: { message: 'rate' } });
    const record = await tasks.attachFeedback(taskId, { score: 1, notes: 'good', by: 'downstream-judge' });
    expect(record).toMatchObject({ id: expect.stringMatching(/^fb_/), score: 1, by: 'downstream-judge' });
    expect((await tasks.getTask(taskId)).feedback).toEqual([record]);
    await expect(tasks.attachFeedback(taskId, { score: 1.5, notes: 'x', by: 'user' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      tasks.attachFeedback('task_nope', { score: 0.5, notes: 'x', by: 'agent' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('leaves a task whose agent is gone after a restart queued for a worker that has it', async () => {
    const before = createTaskService({ store, agents: new Map([['echo', echo]]) });
    const { taskId } = await before.submitTask({ profile: 'agent:echo', args: { message: 'orphan' } });
    const without = createRuntime({ store });
    // A worker without the agent never claims the task, so it finishes idle and the task waits.
    await without.startWorker({ concurrency: 1, untilIdle: true, pollIntervalMs: 10 }).done;
    await without.close();
    expect((await runtimeTaskService(without).getTask(taskId)).status).toBe('pending');
    runtime = createRuntime({ store, agents: [echo] });
    runtime.startWorker({ concurrency: 1 });
    const task = await waitForTask(runtimeTaskService(runtime), taskId, terminal);
    expect(task).toMatchObject({ status: 'completed', result: { text: 'echo: orphan' } });
  });
});
