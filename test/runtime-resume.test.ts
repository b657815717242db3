import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { BatonEvent } from '../src/core/events.js';
import type { MemoryStore } from '../src/store/memory/memory-store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { checkLog, gatedAgent, memoryStores } from './fixtures/runtime-agents.js';

const newStore = memoryStores();

/** Starts a gated run, executes it until its tool blocks, then stops the execution (a shutdown). */
async function interruptedRun(store: MemoryStore) {
  const gated = gatedAgent();
  const runtime = createRuntime({ store, agents: [gated.agent] });
  const started = await runtime.start({ agent: 'gated', message: 'hi' });
  const shutdown = new AbortController();
  const execution = runtime.execute(started.runId, { signal: shutdown.signal, drainGraceMs: 0 });
  await gated.started;
  shutdown.abort();
  const stopped = await execution;
  return { ...started, stopped, gated };
}

describe('runtime resume', () => {
  it('hands a run back on shutdown and resumes it without running its tool again', async () => {
    const store = newStore();
    const { runId, sessionId, stopped } = await interruptedRun(store);
    expect(stopped.status).toBe('running');
    expect(stopped.lease).toBeNull();
    const next = gatedAgent();
    const resumed = await createRuntime({ store, agents: [next.agent] }).execute(runId);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.attempt).toBe(2);
    expect(next.executions).toEqual([]);
    const events = await store.readEvents(sessionId);
    checkLog(events);
    const results = events.filter(
      (event): event is BatonEvent<'tool.result'> => event.type === 'tool.result',
    );
    // The aborted tool committed an error result on its way out; the resumed turn reuses it.
    expect(results.map((event) => event.data.ok)).toEqual([false]);
    expect(events.filter((event) => event.type === 'message.completed')).toHaveLength(2);
  });

  it('fails a resumed run with definition_changed when its agent changed', async () => {
    const store = newStore();
    const { runId, sessionId } = await interruptedRun(store);
    const changed = gatedAgent({ instructions: 'Something else entirely.' });
    const run = await createRuntime({ store, agents: [changed.agent] }).execute(runId);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('definition_changed');
    expect(changed.executions).toEqual([]);
    expect(checkLog(await store.readEvents(sessionId)).at(-1)).toBe('run.failed');
  });

  it('stops a worker that lost its lease without letting it commit anything more', async () => {
    const store = newStore();
    const gated = gatedAgent();
    const runtime = createRuntime({ store, agents: [gated.agent] });
    const { runId, sessionId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const execution = runtime.execute(runId, { leaseTtlMs: 300 });
    await gated.started;
    const held = await waitFor(async () => (await store.getRun(runId))?.lease, {
      message: 'the run to be leased',
    });
    // Another worker takes the run over as if the first one had stalled past its TTL.
    await store.updateRun(runId, { lease: { ...held, expiresAt: 0 } }, { runId, token: held.token });
    const thief = await store.claimRun('thief', 60_000, { runId });
    expect(thief).toBeDefined();
    const before = (await store.readEvents(sessionId)).length;
    gated.release();
    const view = await execution;
    expect(view.lease?.owner).toBe('thief');
    expect(await store.readEvents(sessionId)).toHaveLength(before);
  });

  it('drains queued runs with a worker until idle', async () => {
    const store = newStore();
    const first = gatedAgent({ name: 'first' });
    const second = gatedAgent({ name: 'second' });
    first.release();
    second.release();
    const runtime = createRuntime({ store, agents: [first.agent, second.agent] });
    const runs = await Promise.all(
      ['first', 'second', 'first'].map((agent) => runtime.start({ agent, message: 'hi' })),
    );
    const worker = runtime.startWorker({ concurrency: 2, untilIdle: true, pollIntervalMs: 10 });
    await worker.done;
    for (const { runId } of runs) expect((await runtime.getRun(runId)).status).toBe('succeeded');
  });
});
