import { BatonError } from '../core/errors.js';

/** A stream line was not JSON, or grew past the size cap before its newline arrived. */
export class StreamFormatError extends BatonError {
  constructor(message: string) {
    super('invalid_stream', message);
  }
}

/** Options of {@link ndjsonDecoder}. */
export interface NdjsonDecoderOptions {
  /** Longest accepted line in characters (default 16 MiB); a longer one errors the stream. */
  maxLineLength?: number;
}

const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * A bounded NDJSON reader: bytes in, one parsed JSON value per non-empty line out. The cap keeps
 * a peer that never sends a newline from growing the buffer without limit.
 */
export function ndjsonDecoder<T = unknown>(
  options: NdjsonDecoderOptions = {},
): TransformStream<Uint8Array, T> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new TextDecoder();
  let pending = '';
  const emitLines = (controller: TransformStreamDefaultController<T>, text: string, final: boolean): void => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      if (newline > maxLineLength) throw tooLong(maxLineLength);
      emit(controller, pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > maxLineLength) throw tooLong(maxLineLength);
    if (final && pending !== '') {
      emit(controller, pending);
      pending = '';
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      emitLines(controller, decoder.decode(chunk, { stream: true }), false);
    },
    flush(controller) {
      emitLines(controller, decoder.decode(), true);
    },
  });
}

function tooLong(maxLineLength: number): StreamFormatError {
  return new StreamFormatError(`a stream line exceeds ${maxLineLength} characters`);
}

function emit<T>(controller: TransformStreamDefaultController<T>, rawLine: string): void {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (line.trim() === '') return;
  try {
    controller.enqueue(JSON.parse(line) as T);
  } catch {
    throw new StreamFormatError(`a stream line is not JSON: ${line.slice(0, 80)}`);
  }
}
