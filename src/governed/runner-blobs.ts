import { LimitExceededError } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import { loadManifest } from '../workspace/restore.js';

/** What {@link RunnerBlobs} reads and writes: blobs, the run's log, and the marks of uploads. */
type BlobsStore = Pick<Store, 'getBlob' | 'putBlob' | 'readEvents' | 'putMark' | 'deleteMark' | 'listMarks'>;

/** What a runner may upload for one run (`--runner-blob-count`, `--runner-blob-quota`). */
export interface RunnerBlobQuota {
  /** Uploads per run. */
  maxBlobs: number;
  /** Bytes per run, summed over its uploads. */
  maxBytes: number;
}

/** A run's patch, its receipt and a few artifacts fit many times over; a disk does not fill. */
export const DEFAULT_RUNNER_BLOB_QUOTA: Readonly<RunnerBlobQuota> = Object.freeze({
  maxBlobs: 1_000,
  maxBytes: 1024 * 1024 * 1024,
});

/** A runner uploaded past its run's quota (413 `blob_quota_exceeded`); nothing was stored. */
export class BlobQuotaExceededError extends LimitExceededError {
  constructor(message: string) {
    super('blob_quota_exceeded', message);
  }
}

/** How many runs' readable sets are kept (recomputed from the log when dropped). */
const KEPT_READABLE = 64;
/** How many runs' upload accounts are kept in memory (reloaded from their marks when dropped). */
const KEPT_UPLOADS = 10_000;
/**
 * The mark scope of a run's uploads; each key is `<hash>:<bytes>`. Durable, so that a patch
 * uploaded before a plane restart may still be named after it (and counts against the quota).
 */
const uploadsScope = (runId: string): string => `runner.uploads:${runId}`;

/** What a run's runner may read: named by the plane's own records of the run, read up to `seq`. */
interface Readable {
  seq: number;
  hashes: Set<string>;
}

/** What a run's runners uploaded: counted against the quota, readable back (kept as marks). */
interface Uploads {
  count: number;
  bytes: number;
  hashes: Set<string>;
}

/**
 * The blobs of the runner API, scoped to runs (docs/decisions.md, "Runner blobs are scoped to
 * the run"). A runner reads a blob only under the lease of a run of its pool that names it: the
 * run's input manifest and every blob the manifest lists, the blobs of the events only the
 * plane records for the run (contract, capture, policy decision, receipt), the patch its log
 * names, and what was uploaded for the run. It uploads only for a run it holds, within {@link RunnerBlobQuota}. Another
 * pool's blob is "not found", as one that does not exist.
 */
export class RunnerBlobs {
  readonly #store: BlobsStore;
  readonly #quota: RunnerBlobQuota;
  readonly #readable = new Map<string, Readable>();
  /** One load per run, shared: concurrent uploads must charge the same account. */
  readonly #uploads = new Map<string, Promise<Uploads>>();

  constructor(store: BlobsStore, quota: RunnerBlobQuota) {
    this.#store = store;
    this.#quota = quota;
  }

  /** Whether `run`'s runner may read (or name in its events) blob `hash`. */
  async mayRead(run: RunRecord, hash: string): Promise<boolean> {
    if ((await this.#uploadsOf(run.id)).hashes.has(hash)) return true;
    // A hash already known readable needs no look at the log; only a miss catches up with it.
    if (this.#readable.get(run.id)?.hashes.has(hash)) return true;
    const readable = await this.#readableOf(run);
    if (readable.hashes.has(hash)) return true;
    return this.#uploadedElsewhere(run.id, hash);
  }

  /**
   * Whether another plane process (behind the same load balancer) took this upload: its mark is
   * the record. This process's account then learns the hash, so the run reads it from now on.
   */
  async #uploadedElsewhere(runId: string, hash: string): Promise<boolean> {
    const marked = (await this.#store.listMarks(uploadsScope(runId))).some((mark) =>
      mark.startsWith(`${hash}:`),
    );
    if (marked) (await this.#uploadsOf(runId)).hashes.add(hash);
    return marked;
  }

  /** The blob, when `run`'s runner may read it; undefined otherwise (as for a missing blob). */
  async read(run: RunRecord, hash: string): Promise<Uint8Array | undefined> {
    return (await this.mayRead(run, hash)) ? this.#store.getBlob(hash) : undefined;
  }

  /**
   * Stores an upload for `run`, charged to its quota before anything is written. `hash` is the
   * bytes' sha256, which the caller checked.
   */
  async write(run: RunRecord, bytes: Uint8Array, hash: string): Promise<string> {
    const uploads = await this.#uploadsOf(run.id);
    // Uploaded again (a runner repeating a call whose answer it lost): stored already, not charged twice.
    if (uploads.hashes.has(hash)) return hash;
    if (uploads.count + 1 > this.#quota.maxBlobs)
      throw new BlobQuotaExceededError(
        `run ${run.id} already has ${uploads.count} uploaded blobs, the most a runner may upload for one run`,
      );
    if (uploads.bytes + bytes.byteLength > this.#quota.maxBytes)
      throw new BlobQuotaExceededError(
        `this blob of ${bytes.byteLength} bytes would take the uploads of run ${run.id} past ${this.#quota.maxBytes} bytes`,
      );
    // Charged before the write, so that concurrent uploads cannot all pass the same check.
    uploads.count += 1;
    uploads.bytes += bytes.byteLength;
    await this.#store.putBlob(bytes);
    // Marked before the runner hears it is stored: only then may it name the blob.
    await this.#store.putMark(uploadsScope(run.id), `${hash}:${bytes.byteLength}`);
    uploads.hashes.add(hash);
    return hash;
  }

  /** Drops what is kept about a run its runners are done with (its receipt is recorded). */
  async forget(runId: string): Promise<void> {
    this.#readable.delete(runId);
    this.#uploads.delete(runId);
    const scope = uploadsScope(runId);
    for (const mark of await this.#store.listMarks(scope)) await this.#store.deleteMark(scope, mark);
  }

  /** The run's upload account: in memory, or loaded from its marks (after a restart). */
  #uploadsOf(runId: string): Promise<Uploads> {
    let uploads = this.#uploads.get(runId);
    if (!uploads) {
      uploads = this.#loadUploads(runId);
      // A failed load is not kept: the next call tries the store again.
      uploads.catch(() => this.#uploads.delete(runId));
    }
    this.#keep(this.#uploads, runId, uploads, KEPT_UPLOADS);
    return uploads;
  }

  async #loadUploads(runId: string): Promise<Uploads> {
    const uploads: Uploads = { count: 0, bytes: 0, hashes: new Set<string>() };
    for (const mark of await this.#store.listMarks(uploadsScope(runId))) {
      const colon = mark.lastIndexOf(':');
      uploads.count += 1;
      uploads.bytes += Number(mark.slice(colon + 1));
      uploads.hashes.add(mark.slice(0, colon));
    }
    return uploads;
  }

  async #readableOf(run: RunRecord): Promise<Readable> {
    let readable = this.#readable.get(run.id);
    if (!readable) {
      readable = { seq: -1, hashes: new Set<string>() };
      const input = run.input.manifestHash;
      if (typeof input === 'string') await this.#addManifest(readable, input);
    }
    const events = await this.#store.readEvents(run.sessionId, { from: readable.seq + 1 });
    for (const event of events) {
      readable.seq = event.seq;
      if (event.runId === run.id) await this.#addNamed(readable, event);
    }
    this.#keep(this.#readable, run.id, readable, KEPT_READABLE);
    return readable;
  }

  /**
   * The blobs an event of the run names: those only the plane records, and a runner's
   * `workspace.patch`, which the plane took only naming a blob the run could read already (see
   * `RunnerPlane.append`), so that what it uploaded stays readable past a plane restart.
   */
  async #addNamed(readable: Readable, event: BatonEvent): Promise<void> {
    if (event.type === 'workspace.patch' && typeof event.data.patchHash === 'string')
      readable.hashes.add(event.data.patchHash);
    if (event.type === 'contract.issued') readable.hashes.add(event.data.contractHash);
    if (event.type === 'policy.decided') readable.hashes.add(event.data.envelopeHash);
    if (event.type === 'receipt.issued') readable.hashes.add(event.data.envelopeHash);
    if (event.type === 'workspace.captured') await this.#addManifest(readable, event.data.manifestHash);
  }

  async #addManifest(readable: Readable, hash: string): Promise<void> {
    if (readable.hashes.has(hash)) return;
    readable.hashes.add(hash);
    let manifest: Awaited<ReturnType<typeof loadManifest>>;
    try {
      manifest = await loadManifest(this.#store, hash);
    } catch {
      // A manifest that is missing or not JSON lists nothing more: the runner's restore fails on it.
      return;
    }
    const untracked: unknown[] = Array.isArray(manifest.untracked) ? manifest.untracked : [];
    const named = [
      manifest.bundleHash,
      manifest.diffHash,
      ...untracked.map((entry) => (entry as { hash?: unknown } | null)?.hash),
    ];
    for (const blob of named) if (typeof blob === 'string') readable.hashes.add(blob);
  }

  /** Sets `key` as the newest entry of `map`, dropping the oldest past `kept`. */
  #keep<T>(map: Map<string, T>, key: string, value: T, kept: number): void {
    map.delete(key);
    map.set(key, value);
    for (const oldest of map.keys()) {
      if (map.size <= kept) break;
      map.delete(oldest);
    }
  }
}
