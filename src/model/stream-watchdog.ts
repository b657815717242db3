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
 * `signal` is the one signal the provider's HTTP request listens to: it aborts when the caller's
 * signal does or a timeout expires. Expiry also rejects whatever `guard` is waiting on, so a
 * provider that never answers cannot hang the run. Wall-clock timers on purpose: they bound real
 * I/O, which an injected clock does not move.
 *
 * Cheap per call on purpose (a step's whole budget is a fraction of a millisecond): the caller's
 * signal is linked by hand and unlinked on `dispose`, because `AbortSignal.any` leaves a weak
 * reference on the long-lived turn signal per call; and only once `signal` is first read, because
 * Node takes microseconds to make an `AbortSignal` and a provider may never read it (the scripted
 * model asks {@link aborted}) — nor its controller, which makes one at once. One timer is
 * refreshed per part, not recreated.
 */
export class StreamWatchdog {
  /** Made with the signal (see `signal`): a controller makes its `AbortSignal` at once. */
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout;
  /** Whether a part arrived, so the idle timeout (not the first-byte one) is running. */
  private receiving = false;
  /** Whether the controller follows the caller's signal yet (see `follow`): `signal` was read or a timeout expired. */
  private following = false;
  private disposed = false;
  private failure: ModelCallError | undefined;
  private interruptWaiting: ((error: ModelCallError) => void) | undefined;

  constructor(
    private readonly timeouts: StreamTimeouts,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(StreamWatchdog.expire, timeouts.firstByteTimeoutMs, this);
  }

  /** Aborted when the caller's signal aborts (with its reason) or a timeout expires (with the timeout error), whichever is first. */
  get signal(): AbortSignal {
    this.follow();
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** Whether `signal` exists: it was read, or a timeout aborted it. */
  get signalMade(): boolean {
    return this.following;
  }

  /** Whether `signal` is aborted, without making it. */
  get aborted(): boolean {
    return this.failure !== undefined || this.callerSignal?.aborted === true;
  }

  /** Waits for `work`, or rejects with the `model_timeout` error once a timeout expires. */
  guard<T>(work: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure === undefined) this.interruptWaiting = reject;
      else reject(this.failure);
      // Always handled, so that `work` failing after an expiry is not an unhandled rejection.
      work.then(resolve, reject);
    });
  }

  /** A stream part arrived: the idle timeout starts over. */
  received(): void {
    if (this.receiving) {
      this.timer.refresh();
      return;
    }
    this.receiving = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(StreamWatchdog.expire, this.timeouts.idleTimeoutMs, this);
  }

  /** Stops the timer and unlinks the caller's signal; call when the stream is done, however it ended. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.following) this.callerSignal?.removeEventListener('abort', this);
    // A read of the provider's signal after the call (a middleware logging its options) must
    // not link the caller's long-lived signal to a call that is over.
    this.disposed = true;
  }

  /** The caller's signal aborted (this object is its listener, so no closure per call). */
  handleEvent(): void {
    this.controller?.abort(this.callerSignal?.reason);
  }

  /** Makes the controller follow the caller's signal from now on, taking its abort if it came first. */
  private follow(): void {
    if (this.following || this.disposed) return;
    this.following = true;
    this.controller ??= new AbortController();
    if (this.callerSignal?.aborted) this.controller.abort(this.callerSignal.reason);
    else this.callerSignal?.addEventListener('abort', this);
  }

  private static expire(watchdog: StreamWatchdog): void {
    // A caller's abort before the expiry stays the signal's reason, as if it had been followed all along.
    watchdog.follow();
    const { firstByteTimeoutMs, idleTimeoutMs } = watchdog.timeouts;
    const message = watchdog.receiving
      ? `the model stream went quiet for ${idleTimeoutMs} ms (idle timeout)`
      : `the model sent nothing within ${firstByteTimeoutMs} ms (first-byte timeout)`;
    const error = new ModelCallError('model_timeout', message, { retryable: true });
    watchdog.failure = error;
    watchdog.controller?.abort(error);
    watchdog.interruptWaiting?.(error);
  }
}
