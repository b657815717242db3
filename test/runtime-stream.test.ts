import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { StreamEvent } from '../src/core/events.js';
import { chatAgent, gatedAgent, memoryStores, threeCallAgent } from './fixtures/runtime-agents.js';

const newStore = memoryStores();

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function seqs(events: StreamEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'model.delta' ? [] : [event.seq]));
}

describe('runtime stream', () => {
  it('replays and then follows a run live with no gap or duplicate, deltas included, and ends with it', async () => {
    const { agent } = threeCallAgent();
    const runtime = createRuntime({ store: newStore(), agents: [agent] });
    const { sessionId, runId } = await runtime.start({ agent: 'three-calls', message: 'go' });
    const streamed = collect(runtime.stream(sessionId));
    await runtime.execute(runId);
    const events = await streamed;
    const persisted = await runtime.store.readEvents(sessionId);
    expect(seqs(events)).toEqual(persisted.map((event) => event.seq));
    expect(events.some((event) => event.type === 'model.delta')).toBe(true);
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('starts from the given seq and picks up live events after it', async () => {
    const gated = gatedAgent();
    const runtime = createRuntime({ store: newStore(), agents: [gated.agent] });
    const { sessionId, runId } = await runtime.start({ agent: 'gated', message: 'hi' });
    const execution = runtime.execute(runId);
    await gated.started;
    const streamed = collect(runtime.stream(sessionId, { from: 3 }));
    gated.release();
    await execution;
    const events = await streamed;
    const last = (await runtime.store.head(sessionId))?.seq ?? -1;
    expect(seqs(events)).toEqual(Array.from({ length: last - 2 }, (_, index) => index + 3));
  });

  it('replays a finished session and ends at once', async () => {
    const runtime = createRuntime({ store: newStore(), agents: [chatAgent()] });
    const { sessionId, runId } = await runtime.start({ agent: 'chat', message: 'hi' });
    await runtime.execute(runId);
    const events = await collect(runtime.stream(sessionId));
    expect(seqs(events)).toEqual((await runtime.store.readEvents(sessionId)).map((event) => event.seq));
  });

  it('keeps following a session with follow until its signal aborts', async () => {
    const runtime = createRuntime({ store: newStore(), agents: [chatAgent()] });
    const started = await runtime.start({ agent: 'chat', message: 'one' });
    await runtime.execute(started.runId);
    const abort = new AbortController();
    const received: StreamEvent[] = [];
    const reading = (async () => {
      for await (const event of runtime.stream(started.sessionId, { follow: true, signal: abort.signal })) {
        received.push(event);
        if (event.type === 'run.completed' && event.runId !== started.runId) abort.abort();
      }
    })();
    const next = await runtime.deliver({
      continuationToken: started.continuationToken as string,
      message: 'two',
    });
    await runtime.execute(next.runId);
    await reading;
    expect(received.filter((event) => event.type === 'run.completed')).toHaveLength(2);
  });
});
