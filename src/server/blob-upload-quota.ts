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

/**
 * Counts the blobs `/v1/blobs` newly stores in fixed windows, across callers (an API has one
 * credential, so one caller). A blob already held costs nothing: it takes no more disk.
 * In memory: a restart opens a new window, which at most doubles one window's allowance.
 */
export class BlobUploadMeter {
  readonly #quota: Required<BlobUploadQuota>;
  readonly #now: () => number;
  #windowStart = 0;
  #blobs = 0;
  #bytes = 0;

  constructor(quota: BlobUploadQuota, now: () => number = Date.now) {
    this.#quota = { ...DEFAULT_BLOB_UPLOAD_QUOTA, ...quota };
    this.#now = now;
  }

  /** Charges one new blob of `bytes`, or throws {@link UploadQuotaExceededError} charging nothing. */
  charge(bytes: number): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#quota.windowMs) {
      this.#windowStart = now;
      this.#blobs = 0;
      this.#bytes = 0;
    }
    const retry = Math.max(1, Math.ceil((this.#windowStart + this.#quota.windowMs - now) / 1000));
    if (this.#blobs + 1 > this.#quota.maxBlobs)
      throw new UploadQuotaExceededError(
        `the plane stored ${this.#blobs} uploaded blobs this window, the most it takes (--blob-count); retry in ${retry} s`,
        retry,
      );
    if (this.#bytes + bytes > this.#quota.maxBytes)
      throw new UploadQuotaExceededError(
        `a blob of ${bytes} bytes would take this window's uploads past ${this.#quota.maxBytes} bytes (--blob-quota); retry in ${retry} s`,
        retry,
      );
    this.#blobs += 1;
    this.#bytes += bytes;
  }

  /** Gives back a charge whose blob was not stored after all (the write failed). */
  refund(bytes: number): void {
    this.#blobs = Math.max(0, this.#blobs - 1);
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }
}
