import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/events.js';
import { encodeFrame, type WireFormat } from './encoded-event.js';
import type { StreamFrame } from './stream-frame.js';

const persisted: StreamEvent = {
  seq: 3,
  sessionId: 'ses_1',
  runId: 'run_1',
  type: 'step.started',
  ts: '2025-01-01T00:00:00.000Z',
  data: { step: 1 },
  hash: 'a'.repeat(64),
};
const delta: StreamEvent = {
  type: 'model.delta',
  sessionId: 'ses_1',
  runId: 'run_1',
  step: 1,
  delta: 'Hel\nlo',
};

const text = (frames: StreamFrame[], format: WireFormat): string =>
  frames.map((frame) => new TextDecoder().decode(encodeFrame(frame, format) ?? new Uint8Array())).join('');

describe('encodeFrame as NDJSON', () => {
  it('writes one JSON event per line and drops heartbeats', () => {
    expect(text([persisted, { type: 'heartbeat' }, delta], 'ndjson').split('\n')).toEqual([
      JSON.stringify(persisted),
      JSON.stringify(delta),
      '',
    ]);
  });

  it('encodes an event object once: every reader gets the same bytes', () => {
    expect(encodeFrame(persisted, 'ndjson')).toBe(encodeFrame(persisted, 'ndjson'));
  });
});

describe('encodeFrame as SSE', () => {
  it('gives persisted events their seq as id, live deltas no id, and heartbeats as comments', () => {
    expect(text([persisted, { type: 'heartbeat' }, delta], 'sse')).toBe(
      `id: 3\nevent: step.started\ndata: ${JSON.stringify(persisted)}\n\n` +
        ': heartbeat\n\n' +
        `event: model.delta\ndata: ${JSON.stringify(delta)}\n\n`,
    );
  });
});
