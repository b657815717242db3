import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { describe, expect, it } from 'vitest';
import type { BatonEvent, EventDraft } from './events.js';
import { GENESIS_HASH, isTerminalRunEvent, sealEvent, verifyChain } from './events.js';

// Computed here from the documented formula (docs/events.md) with the `canonicalize` package
// directly, so the test does not trust the module under test for the definition of the hash.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

function expectedHash(prevHash: string, event: BatonEvent): string {
  const { hash: _ignored, ...withoutHash } = event;
  return createHash('sha256')
    .update(prevHash + canonicalize(withoutHash))
    .digest('hex');
}

function chain(drafts: EventDraft[]): BatonEvent[] {
  const events: BatonEvent[] = [];
  for (const [index, draft] of drafts.entries()) {
    const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString();
    events.push(sealEvent(events.at(-1), { sessionId: 'ses_1', runId: 'run_1', ts, ...draft }));
  }
  return events;
}

const DRAFTS: EventDraft[] = [
  { type: 'session.started', data: { agent: 'weather' } },
  { type: 'message.received', data: { role: 'user', text: 'Wetter in Zürich? ☀️' } },
  { type: 'run.started', data: { agent: 'weather', attempt: 1, definitionHash: 'd' } },
  { type: 'step.started', data: { step: 1 } },
  {
    type: 'run.completed',
    data: { status: 'succeeded', text: 'sunny', usage: { inputTokens: 3, outputTokens: 1 } },
  },
];

describe('event hash chain', () => {
  it('numbers events from 0 and hashes sha256hex(prevHash + canonical JSON of the event without hash)', () => {
    const events = chain(DRAFTS);
    expect(events.map((event) => event.seq)).toEqual([0, 1, 2, 3, 4]);
    let prevHash = GENESIS_HASH;
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(['data', 'hash', 'runId', 'seq', 'sessionId', 'ts', 'type']);
      expect(event.hash).toBe(expectedHash(prevHash, event));
      prevHash = event.hash;
    }
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(verifyChain(events)).toEqual({ ok: true, head: prevHash, count: 5 });
  });

  it('hashes the same event the same way whatever the key order of its data', () => {
    const [first] = chain([{ type: 'run.started', data: { agent: 'a', attempt: 1, definitionHash: 'd' } }]);
    const reordered = { ...first, data: { definitionHash: 'd', attempt: 1, agent: 'a' } } as BatonEvent;
    expect(verifyChain([reordered]).ok).toBe(true);
  });

  it('names the first seq whose data was altered', () => {
    const events = chain(DRAFTS);
    const tampered = events.map((event) =>
      event.seq === 1 ? ({ ...event, data: { role: 'user', text: 'changed' } } as BatonEvent) : event,
    );
    expect(verifyChain(tampered)).toMatchObject({ ok: false, seq: 1 });
  });

  it('rejects a gap in seq and a chain that does not start at 0', () => {
    const events = chain(DRAFTS);
    expect(verifyChain([events[0], events[2]] as BatonEvent[])).toMatchObject({ ok: false, seq: 1 });
    expect(verifyChain(events.slice(1))).toMatchObject({ ok: false, seq: 0 });
  });

  it('recognises the three terminal run events', () => {
    const terminal = ['run.completed', 'run.failed', 'run.cancelled', 'step.completed'].filter((type) =>
      isTerminalRunEvent({ type }),
    );
    expect(terminal).toEqual(['run.completed', 'run.failed', 'run.cancelled']);
  });
});
