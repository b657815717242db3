import { BatonError } from '../core/errors.js';

/** What `/v1/blobs` stores per window (`--blob-count`, `--blob-quota` per hour). */
export interface BlobUploadQuota {
  maxBlobs: number;
  maxBytes: number;
  /** Default one hour. */
  windowMs?: number;
}

/** Room for several large hand-offs an hour; a runaway client stops long before a disk fills. */
export const DEFAULT_BLOB_UPLOAD_QUOTA: Readonly<Required<BlobUploadQuota>> = Object.freeze({
  maxBlobs: 200_000,
  maxBytes: 16 * 1024 * 1024 * 1024,
  windowMs: 60 * 60_000,
});

/** A plane client stored more blobs (or bytes) this window than the plane allows (429). */
export class UploadQuotaExceededError extends BatonError {
  /** Seconds until the window ends, for `Retry-After`. */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('upload_quota_exceeded', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** One principal's window: when it opened and what was stored in it. */
interface UploadWindow {
  start: number;
  blobs: number;
  bytes: number;
}

/** Principals kept at once; past it, windows that ended are dropped (a new one starts empty anyway). */
const KEPT_PRINCIPALS = 1_000;

/**
 * Counts the blobs `/v1/blobs` newly stores in fixed windows, one meter per authenticated
 * principal (`kind:subject` of the caller: the API token, the admin token, a basic user), so
 * that one caller using up its allowance leaves the others theirs. A blob already held costs
 * nothing: it takes no more disk. In memory: a restart opens new windows, which at most doubles
 * one window's allowance.
 */
export class BlobUploadMeter {
  readonly #quota: Required<BlobUploadQuota>;
  readonly #now: () => number;
  readonly #windows = new Map<string, UploadWindow>();

  constructor(quota: BlobUploadQuota, now: () => number = Date.now) {
    this.#quota = { ...DEFAULT_BLOB_UPLOAD_QUOTA, ...quota };
    this.#now = now;
  }

  /**
   * Charges `principal` one new blob of `bytes`, or throws {@link UploadQuotaExceededError}
   * charging nothing.
   */
  charge(principal: string, bytes: number): void {
    const now = this.#now();
    const window = this.#windowOf(principal, now);
    const retry = Math.max(1, Math.ceil((window.start + this.#quota.windowMs - now) / 1000));
    if (window.blobs + 1 > this.#quota.maxBlobs)
      throw new UploadQuotaExceededError(
        `you stored ${window.blobs} uploaded blobs this window, the most the plane takes from one caller (--blob-count); retry in ${retry} s`,
        retry,
      );
    if (window.bytes + bytes > this.#quota.maxBytes)
      throw new UploadQuotaExceededError(
        `a blob of ${bytes} bytes would take your uploads this window past ${this.#quota.maxBytes} bytes (--blob-quota); retry in ${retry} s`,
        retry,
      );
    window.blobs += 1;
    window.bytes += bytes;
  }

  /** Gives back a charge whose blob was not stored after all (the write failed). */
  refund(principal: string, bytes: number): void {
    const window = this.#windows.get(principal);
    if (!window) return;
    window.blobs = Math.max(0, window.blobs - 1);
    window.bytes = Math.max(0, window.bytes - bytes);
  }

  #windowOf(principal: string, now: number): UploadWindow {
    const current = this.#windows.get(principal);
    if (current && now - current.start < this.#quota.windowMs) return current;
    if (this.#windows.size >= KEPT_PRINCIPALS)
      for (const [key, window] of this.#windows)
        if (now - window.start >= this.#quota.windowMs) this.#windows.delete(key);
    const opened = { start: now, blobs: 0, bytes: 0 };
    this.#windows.set(principal, opened);
    return opened;
  }
}
