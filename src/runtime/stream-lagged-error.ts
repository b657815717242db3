import { BatonError } from '../core/errors.js';

/**
 * A stream reader fell more events behind the live log than the stream buffers for it: the
 * stream ends with this error rather than hold an ever-growing queue. Nothing is lost:
 * reading again with `from` continues exactly where this stream stopped.
 */
export class StreamLaggedError extends BatonError {
  /** The `seq` to read from next. */
  readonly from: number;

  constructor(from: number, maxLagEvents: number) {
    super(
      'stream_lagging',
      `the reader fell more than ${maxLagEvents} events behind; reconnect with from=${from}`,
    );
    this.from = from;
  }
}
