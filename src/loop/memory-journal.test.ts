import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../core/events.js';
import { verifyChain } from '../core/events.js';
import { MemoryJournal } from './memory-journal.js';

describe('MemoryJournal', () => {
  it('seals appended events into a gapless hash chain', async () => {
    const journal = new MemoryJournal({ sessionId: 'ses_1', runId: 'run_1' });
    await journal.append({ type: 'step.started', data: { step: 1 } });
    await journal.append({ type: 'step.completed', data: { step: 1 } });
    expect(journal.events.map((event) => [event.seq, event.sessionId, event.runId])).toEqual([
      [0, 'ses_1', 'run_1'],
      [1, 'ses_1', 'run_1'],
    ]);
    expect(verifyChain(journal.events)).toMatchObject({ ok: true, count: 2 });
  });

  it('queues delivered messages for the next drain, and load() starts the inbox afresh', async () => {
    const journal = new MemoryJournal();
    journal.deliver('before load');
    expect((await journal.load()).events.map((event) => event.type)).toEqual(['message.received']);
    expect(await journal.drainInbox()).toEqual([]);
    const delivered = journal.deliver('after load');
    expect(await journal.drainInbox()).toEqual([delivered]);
    expect(await journal.drainInbox()).toEqual([]);
  });

  it('tells listeners about persisted and live events until they unsubscribe', async () => {
    const journal = new MemoryJournal({ sessionId: 'ses_1', runId: 'run_1' });
    const seen: StreamEvent[] = [];
    const unsubscribe = journal.subscribe((event) => seen.push(event));
    journal.emitLive({ type: 'model.delta', sessionId: 'ses_1', runId: 'run_1', step: 1, delta: 'hi' });
    await journal.append({ type: 'step.started', data: { step: 1 } });
    unsubscribe();
    await journal.append({ type: 'step.completed', data: { step: 1 } });
    expect(seen.map((event) => event.type)).toEqual(['model.delta', 'step.started']);
  });

  it('continues an existing log, as a resumed run does', async () => {
    const first = new MemoryJournal();
    await first.append({ type: 'step.started', data: { step: 1 } });
    const second = new MemoryJournal({ events: first.events, runId: first.runId });
    await second.append({ type: 'step.completed', data: { step: 1 } });
    expect(second.sessionId).toBe(first.sessionId);
    expect(verifyChain(second.events)).toMatchObject({ ok: true, count: 2 });
  });
});
