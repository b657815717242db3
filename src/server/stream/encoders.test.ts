import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/events.js';
import type { StreamFrame } from './event-frames.js';
import { ndjsonEncoder } from './ndjson-encoder.js';
import { sseEncoder } from './sse-encoder.js';

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

async function encode(
  encoder: TransformStream<StreamFrame, Uint8Array>,
  frames: StreamFrame[],
): Promise<string> {
  const source = new ReadableStream<StreamFrame>({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });
  return new Response(source.pipeThrough(encoder)).text();
}

describe('ndjsonEncoder', () => {
  it('writes one JSON event per line and drops heartbeats', async () => {
    const text = await encode(ndjsonEncoder(), [persisted, { type: 'heartbeat' }, delta]);
    expect(text.split('\n')).toEqual([JSON.stringify(persisted), JSON.stringify(delta), '']);
  });
});

describe('sseEncoder', () => {
  it('gives persisted events their seq as id, live deltas no id, and heartbeats as comments', async () => {
    const text = await encode(sseEncoder(), [persisted, { type: 'heartbeat' }, delta]);
    expect(text).toBe(
      `id: 3\nevent: step.started\ndata: ${JSON.stringify(persisted)}\n\n` +
        ': heartbeat\n\n' +
        `event: model.delta\ndata: ${JSON.stringify(delta)}\n\n`,
    );
  });
});
