import { describe, expect, it } from 'vitest';
import { ndjsonDecoder, StreamFormatError } from './ndjson-decoder.js';

async function decode(chunks: (string | Uint8Array)[], maxLineLength?: number): Promise<unknown[]> {
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
  const values: unknown[] = [];
  const reader = source
    .pipeThrough(ndjsonDecoder(maxLineLength === undefined ? {} : { maxLineLength }))
    .getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) return values;
    values.push(next.value);
  }
}

describe('ndjsonDecoder', () => {
  it('parses one value per line across arbitrary chunk boundaries', async () => {
    expect(await decode(['{"a":', '1}\n{"b"', ':2}\n', '{"c":3}\n'])).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('skips blank lines, strips carriage returns and parses a last line without a newline', async () => {
    expect(await decode(['\n{"a":1}\r\n\n', '{"b":2}'])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reassembles multi-byte characters split between chunks', async () => {
    const bytes = new TextEncoder().encode('{"text":"été"}\n');
    expect(await decode([bytes.slice(0, 11), bytes.slice(11)])).toEqual([{ text: 'été' }]);
  });

  it('errors the stream with StreamFormatError on a line that is not JSON', async () => {
    await expect(decode(['{"a":1}\nnot json\n'])).rejects.toBeInstanceOf(StreamFormatError);
  });

  it('errors the stream on a complete line longer than the cap', async () => {
    await expect(decode([`{"a":"${'x'.repeat(100)}"}\n`], 64)).rejects.toThrow(/exceeds 64 characters/);
  });

  it('errors the stream once a line grows past the cap without a newline', async () => {
    await expect(decode(['{"a":"', 'x'.repeat(50), 'x'.repeat(50)], 64)).rejects.toThrow(
      /exceeds 64 characters/,
    );
  });
});
