import { describe, expect, it } from 'vitest';
import { FrameBatch, FrameBatches } from './frame-batch.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => Buffer.from(data).toString('latin1');

describe('FrameBatch', () => {
  it('frames its bytes as one HTTP/1.1 chunk, its size in hex', () => {
    const frames = [bytes('{"seq":1}\n'), bytes('x'.repeat(20))];
    const batch = new FrameBatch(frames);
    expect(text(batch.bytes)).toBe(`{"seq":1}\n${'x'.repeat(20)}`);
    expect(text(batch.chunk)).toBe(`1e\r\n{"seq":1}\n${'x'.repeat(20)}\r\n`);
  });

  it('counts bytes, not characters, in the chunk size', () => {
    expect(text(new FrameBatch([bytes('é\n')]).chunk)).toBe('3\r\n\xc3\xa9\n\r\n');
  });
});

describe('FrameBatches', () => {
  it('gives readers with the same frames pending the same batch, and others their own', () => {
    const [one, two, three] = [bytes('1\n'), bytes('2\n'), bytes('3\n')];
    const batches = new FrameBatches();
    const shared = batches.batchOf([one, two]);
    expect(batches.batchOf([one, two])).toBe(shared);
    expect(batches.batchOf([one, two, three])).not.toBe(shared);
    expect(batches.batchOf([two])).not.toBe(shared);
    // Equal bytes in other objects are other events: only the same frames are shared.
    expect(batches.batchOf([bytes('1\n'), two])).not.toBe(shared);
  });
});
