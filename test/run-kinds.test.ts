import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId } from '../src/core/ids.js';
import {
  createRuntime,
  defineAgent,
  type RunKind,
  type Runtime,
  type RuntimeOptions,
  scriptedModel,
  type TurnOutcome,
} from '../src/index.js';
import { emptyUsage } from '../src/loop/usage.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import type { Store } from '../src/store/store.js';

const runtimes: Runtime[] = [];

function runtimeWith(store: Store, kinds: NonNullable<RuntimeOptions['kinds']>): Runtime {
  const agent = defineAgent({ name: 'alpha', instructions: 'x', model: scriptedModel([{ text: 'hi' }]) });
  const runtime = createRuntime({ store, agents: [agent], kinds });
  runtimes.push(runtime);
  return runtime;
}

/** Queues a run of `kind` for agent `alpha` in a new session, as a kind's own starter would. */
async function queueRun(store: Store, kind: string, input: Record<string, unknown>): Promise<string> {
  const sessionId = newId('ses');
  const runId = newId('run');
  await store.startSession({
    session: { id: sessionId, agent: 'alpha', context: {}, auth: {}, tokenHash: `hash-${sessionId}` },
    events: [{ type: 'session.started', data: { agent: 'alpha' } }],
    run: { id: runId, sessionId, agent: 'alpha', kind, input, idempotencyKey: null },
  });
  return runId;
}

/** A kind that answers its input's `text`; it records which of execute and resume ran. */
function echoKind(calls: string[], first: 'defer' | 'answer' = 'answer'): RunKind<{ text: string }> {
  return {
    name: 'echo',
    inputSchema: z.object({ text: z.string() }),
    claim: 'kind',
    definitionHash: async () => 'echo-v1',
    async execute({ input }) {
      calls.push('execute');
      if (first === 'defer')
        return {
          status: 'deferred',
          retryAt: Date.now(),
          error: { code: 'rate_limited', message: 'later' },
          usage: emptyUsage(),
          steps: 0,
        };
      return { status: 'succeeded', text: input.text, usage: emptyUsage(), steps: 0 };
    },
    async resume({ input }) {
      calls.push('resume');
      return { status: 'succeeded', text: `again: ${input.text}`, usage: emptyUsage(), steps: 0 };
    },
  };
}

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

describe('run kinds registered with createRuntime({ kinds })', () => {
  it('executes a run of a registered kind and commits its outcome with the kind’s definition hash', async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const runtime = runtimeWith(store, [echoKind(calls)]);
    const runId = await queueRun(store, 'echo', { text: 'hello' });
    const run = await runtime.execute(runId);
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'hello' }, definitionHash: 'echo-v1' });
    expect(calls).toEqual(['execute']);
    const events = await store.readEvents(run.sessionId);
    expect(events.map((event) => event.type)).toEqual(['session.started', 'run.started', 'run.completed']);
    expect(events[1]).toMatchObject({ data: { kind: 'echo', definitionHash: 'echo-v1', attempt: 1 } });
  });

  it('resumes an attempt after one that started through the kind’s resume', async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const runtime = runtimeWith(store, [echoKind(calls, 'defer')]);
    const runId = await queueRun(store, 'echo', { text: 'hello' });
    expect((await runtime.execute(runId)).status).toBe('running');
    const run = await runtime.execute(runId);
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'again: hello' } });
    expect(calls).toEqual(['execute', 'resume']);
  });

  it('fails a run whose input its kind’s schema refuses, before the run starts', async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const runtime = runtimeWith(store, [echoKind(calls)]);
    const runId = await queueRun(store, 'echo', { text: 42 });
    const run = await runtime.execute(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'invalid_request', message: expect.stringContaining('text') });
    expect(calls).toEqual([]);
    expect((await store.readEvents(run.sessionId)).map((event) => event.type)).not.toContain('run.started');
  });

  it('never claims a run of a kind it does not have, even for an agent it serves, and leaves it untouched', async () => {
    const store = new MemoryStore();
    const runtime = runtimeWith(store, []);
    const runId = await queueRun(store, 'approval', {});
    const settled: string[] = [];
    const worker = runtime.startWorker({
      untilIdle: true,
      pollIntervalMs: 10,
      // A worker that claimed it would hand it back (`unserved`) and claim it again at once.
      onRunSettled: (_runId, how) => {
        settled.push(how);
        void worker.stop();
      },
    });
    await worker.done;
    expect(settled).toEqual([]);
    expect((await runtime.getRun(runId)).status).toBe('queued');
    const run = await runtime.execute(runId);
    expect(run).toMatchObject({ status: 'queued', attempt: 1, lease: null });
    expect((await store.readEvents(run.sessionId)).map((event) => event.type)).toEqual(['session.started']);
  });

  it('replaces a built-in kind registered under the same name', async () => {
    const store = new MemoryStore();
    const answer: TurnOutcome = { status: 'succeeded', text: 'mine', usage: emptyUsage(), steps: 0 };
    const message: RunKind = {
      name: 'message',
      inputSchema: z.looseObject({}),
      claim: 'agent',
      definitionHash: async () => 'mine-v1',
      execute: async () => answer,
    };
    const runtime = runtimeWith(store, [message]);
    const { runId } = await runtime.start({ agent: 'alpha', message: 'hello' });
    expect((await runtime.execute(runId)).result).toEqual({ text: 'mine' });
  });
});
