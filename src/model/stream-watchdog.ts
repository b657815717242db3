import { ModelCallError } from '../core/errors.js';

/** Per-attempt time limits of one streamed model call. */
export interface StreamTimeouts {
  /** From the call until the first stream part. */
  firstByteTimeoutMs: number;
  /** Between two stream parts. */
  idleTimeoutMs: number;
}

/**
 * Bounds one streamed model call: it fails with a retryable `model_timeout` when no part arrives
 * within `firstByteTimeoutMs` of the start, or within `idleTimeoutMs` of the previous part.
 * Expiry aborts `signal`, which the provider's HTTP request listens to, and rejects whatever
 * `guard` is waiting on, so a provider that never answers cannot hang the run. Wall-clock
 * timers on purpose: they bound real I/O, which an injected clock does not move.
 */
export class StreamWatchdog {
  private readonly controller = new AbortController();
  private readonly expired: Promise<never>;
  private expire: (error: ModelCallError) => void = () => undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeouts: StreamTimeouts) {
    this.expired = new Promise<never>((_resolve, reject) => {
      this.expire = reject;
    });
    // Only the guarded promises report the expiry; this one must not count as unhandled.
    this.expired.catch(() => undefined);
    this.arm(
      timeouts.firstByteTimeoutMs,
      (ms) => `the model sent nothing within ${ms} ms (first-byte timeout)`,
    );
  }

  /** Aborted when a timeout expires. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Waits for `work`, or rejects with the `model_timeout` error once a timeout expires. */
  guard<T>(work: PromiseLike<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  /** A stream part arrived: the idle timeout starts over. */
  received(): void {
    this.arm(this.timeouts.idleTimeoutMs, (ms) => `the model stream went quiet for ${ms} ms (idle timeout)`);
  }

  /** Stops the timer; call when the stream is done, however it ended. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number, describe: (ms: number) => string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const error = new ModelCallError('model_timeout', describe(ms), { retryable: true });
      this.controller.abort(error);
      this.expire(error);
    }, ms);
  }
}
