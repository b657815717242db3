import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { BatonEvent } from '../src/core/events.js';
import { checkLog, gatedAgent, memoryStores } from './fixtures/runtime-agents.js';

const newStore = memoryStores();

function toolResults(events: BatonEvent[]): BatonEvent<'tool.result'>[] {
  return events.filter((event): event is BatonEvent<'tool.result'> => event.type === 'tool.result');
}

describe('worker shutdown', () => {
  it('lets the step in flight commit its tool result before handing the run back', async () => {
    const store = newStore();
    const gated = gatedAgent();
    const runtime = createRuntime({ store, agents: [gated.agent] });
    const { runId, sessionId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const worker = runtime.startWorker({ pollIntervalMs: 10, drainGraceMs: 30_000 });
    await gated.started;
    const stopping = worker.stop();
    // The tool finishes after shutdown began; draining lets its result commit.
    gated.release();
    await stopping;
    const results = toolResults(await store.readEvents(sessionId));
    expect(results.map((event) => [event.data.ok, event.data.output])).toEqual([[true, 'released']]);
    // The run resumes elsewhere without running the tool again and without an interrupted result.
    const next = gatedAgent();
    const resumed = await createRuntime({ store, agents: [next.agent] }).execute(runId);
    expect(resumed.status).toBe('succeeded');
    expect(next.executions).toEqual([]);
    const events = await store.readEvents(sessionId);
    checkLog(events);
    expect(toolResults(events)).toHaveLength(1);
  });

  it('aborts a step that does not commit within the grace period', async () => {
    const store = newStore();
    const gated = gatedAgent();
    const runtime = createRuntime({ store, agents: [gated.agent] });
    const { runId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const worker = runtime.startWorker({ pollIntervalMs: 10, drainGraceMs: 50 });
    await gated.started;
    await worker.stop();
    const run = await store.getRun(runId);
    expect(run?.status).toBe('running');
    expect(run?.lease).toBeNull();
  });
});

describe('worker store outage', () => {
  it('rides out a store that fails for a while and then executes the queued run', async () => {
    const store = newStore();
    const gated = gatedAgent();
    const runtime = createRuntime({ store, agents: [gated.agent] });
    const { runId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const claimRun = store.claimRun.bind(store);
    let failures = 3;
    store.claimRun = async (...args) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('connection refused');
      }
      return claimRun(...args);
    };
    const errors: unknown[] = [];
    const worker = runtime.startWorker({
      pollIntervalMs: 10,
      untilIdle: true,
      onStoreError: (error) => errors.push(error),
    });
    await gated.started;
    gated.release();
    await worker.done;
    expect(errors).toHaveLength(3);
    expect((await store.getRun(runId))?.status).toBe('succeeded');
  });

  it('gives up once the outage lasts longer than maxStoreOutageMs', async () => {
    const store = newStore();
    const runtime = createRuntime({ store, agents: [] });
    store.claimRun = async () => {
      throw new Error('connection refused');
    };
    const worker = runtime.startWorker({ pollIntervalMs: 10, maxStoreOutageMs: 300 });
    await expect(worker.done).rejects.toThrow('connection refused');
  });
});
