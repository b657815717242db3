import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, ForbiddenError, LeaseLostError, NotFoundError, UserError } from '../core/errors.js';
import type { BatonEvent, EventDraft, Usage } from '../core/events.js';
import { hashCanonical, sha256Hex } from '../core/hash.js';
import type { Signature } from '../proof/signature.js';
import { verifyStatement } from '../proof/signature.js';
import { envelopeSchema } from '../proof/statements.js';
import { verifyReceiptFile } from '../proof/verify.js';
import { lifecyclePatches } from '../runtime/run-patches.js';
import { startAttemptOf } from '../runtime/start-attempt.js';
import type { ClaimFilter } from '../store/claim-filter.js';
import { isRunEnded } from '../store/records.js';
import type { AppendOptions, Claim, ReadEventsOptions, RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WorkerAnnouncement } from '../store/worker-registry.js';
import { checkRunnerDecisions, checkRunnerGateIds } from './runner-approvals.js';
import { DEFAULT_RUNNER_BLOB_QUOTA, type RunnerBlobQuota, RunnerBlobs } from './runner-blobs.js';
import { isRunnerKey, registerRunnerKey } from './runner-keys.js';
import { checkRunnerLifecycleEvent } from './runner-lifecycle-events.js';

/** Runs whose start under a lease is remembered (one per run in flight; the oldest go first). */
const MAX_STARTED_KEPT = 10_000;
/** The longest a claim waits for work before answering "nothing" (the runner asks again). */
export const MAX_CLAIM_WAIT_MS = 25_000;
/**
 * Claims of one pool that may wait at once: each looks at the store every {@link CLAIM_POLL_MS},
 * so unbounded long polls from one runner token would load the plane's database. Past it, a
 * claim looks once and answers (the runner asks again after its poll interval).
 */
const MAX_WAITING_CLAIMS = 64;
/** How often a waiting claim looks again. */
const CLAIM_POLL_MS = 250;
/** Lease TTLs a runner may ask for: long enough to renew over a network, short enough to recover. */
const MIN_RUNNER_TTL_MS = 1_000;
const MAX_RUNNER_TTL_MS = 10 * 60_000;

/** Events only the plane records: a runner appending one is refused (`runner_event_refused`). */
const PLANE_ONLY_EVENTS: ReadonlySet<string> = new Set([
  'session.started',
  'message.received',
  'contract.issued',
  'workspace.captured',
  'receipt.issued',
  'run.retried',
  'policy.decided',
  // A person's answer to a question: people answer on the plane, a runner in nobody's name.
  'input.provided',
]);

/** Events that move a run's status: none of them may follow its end (see `append`). */
const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set([
  'run.started',
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.waiting',
]);

/** Live runners a pool may have announced at once: a registry a runner token cannot flood. */
const MAX_POOL_WORKERS = 1_000;

/** What a runner signs to register its key: proof that it holds the private key. */
export function runnerKeyStatement(pool: string, publicKey: string): unknown {
  return { purpose: 'baton runner key', pool, publicKey };
}

/** A runner's append: its events, the run fields they do not carry, and the commit's conditions. */
export interface RunnerAppend {
  events: EventDraft[];
  runPatch?: { usage?: Usage | undefined; activeMs?: number | undefined };
  expectedHeadSeq?: number | null;
  requireRunStatus?: AppendOptions['requireRunStatus'];
}

/** The run fields a runner may set outside its events: its active time, usage, or a hand-back. */
export interface RunnerRunPatch {
  activeMs?: number | undefined;
  usage?: Usage | undefined;
  /** `queued` with `lease: null` hands an unserved run back untouched. */
  status?: 'queued' | undefined;
  lease?: null | undefined;
}

/** A claim filter as a request carries it (fields may be explicitly undefined). */
export type RunnerClaimFilter = { [K in keyof ClaimFilter]?: ClaimFilter[K] | undefined };

/** `value` without its undefined fields: what a patch or filter means by "not given". */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/**
 * The plane's side of the runner API (`/v1/runner/...`, docs/handoff.md): what runners of a
 * pool may do to the store, each call checked against the pool the runner token admits and,
 * for a run, the lease token it claimed it with. A runner never touches another pool's runs,
 * never writes without its lease, never records what only the plane records, and completes a
 * run only with a receipt signed by a key registered for its pool.
 */
export class RunnerPlane {
  readonly #store: Store;
  readonly #blobs: RunnerBlobs;
  /**
   * The lease token under which each run recorded its start: one `run.started` per claim, so a
   * runner cannot count attempts up by starting again (a plane restart forgets; see decisions).
   */
  readonly #started = new Map<string, string>();
  /** Claims waiting (long-polling) now, per pool. */
  readonly #waiting = new Map<string, number>();

  constructor(store: Store, options: { blobQuota?: RunnerBlobQuota } = {}) {
    this.#store = store;
    this.#blobs = new RunnerBlobs(store, options.blobQuota ?? DEFAULT_RUNNER_BLOB_QUOTA);
  }

  /** Registers a runner key for `pool`, given a signature of {@link runnerKeyStatement} by that key. */
  async registerKey(pool: string, proof: Signature): Promise<void> {
    if (!verifyStatement(runnerKeyStatement(pool, proof.publicKey), proof))
      throw new UserError('invalid_request', 'the key registration is not signed by the key it registers');
    await registerRunnerKey(this.#store, { pool, publicKey: proof.publicKey });
  }

  /** Announces (or refreshes) a runner in the worker registry, under its pool and registered key. */
  async announce(pool: string, worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    await this.#requireKey(pool, worker.publicKey);
    const live = await this.#store.listWorkers();
    const existing = live.find((entry) => entry.id === worker.id);
    // An id is one worker's: announcing under another pool's (or the plane's own) would rewrite it.
    if (existing && existing.pool !== pool)
      throw new ConflictError(
        `worker ${worker.id} is not a runner of pool ${pool}; announce under an id of its own`,
      );
    if (!existing && live.filter((entry) => entry.pool === pool).length >= MAX_POOL_WORKERS)
      throw new ConflictError(`pool ${pool} already has ${MAX_POOL_WORKERS} live runners announced`);
    await this.#store.announceWorker({ ...worker, pool }, clampTtl(ttlMs));
  }

  /** Removes a runner of `pool` from the registry (it stopped). */
  async removeWorker(pool: string, id: string): Promise<void> {
    const worker = (await this.#store.listWorkers()).find((entry) => entry.id === id);
    if (worker?.pool === pool) await this.#store.removeWorker(id);
  }

  /** The agent modules that `pool`'s queued or running runs name: what its runners may have to load. */
  async agentModules(pool: string): Promise<string[]> {
    return this.#store.listActiveAgentModules({ pool });
  }

  /** Blob `hash`, for the runner holding `runId`'s lease, when that run names it (see {@link RunnerBlobs}). */
  async getBlob(pool: string, runId: string, token: string, hash: string): Promise<Uint8Array> {
    const run = await this.#leased(pool, runId, token);
    const bytes = await this.#blobs.read(run, hash);
    if (!bytes) throw new NotFoundError('blob', hash);
    return bytes;
  }

  /**
   * Stores a blob the runner holding `runId`'s lease uploads for it as `hash`, within the run's
   * quota; bytes that do not hash to `hash` are refused before anything else is looked at.
   */
  async putBlob(
    pool: string,
    runId: string,
    token: string,
    bytes: Uint8Array,
    hash: string,
  ): Promise<string> {
    if (sha256Hex(bytes) !== hash)
      throw new UserError('blob_hash_mismatch', `the uploaded bytes do not hash to ${hash}`);
    return this.#blobs.write(await this.#leased(pool, runId, token), bytes, hash);
  }

  /**
   * Claims the oldest runnable run of `pool` that `filter` matches, waiting up to `waitMs` for
   * one (a long poll); undefined when none came. The claimer's key must be registered.
   */
  async claim(
    pool: string,
    request: { owner: string; ttlMs: number; waitMs: number; filter?: RunnerClaimFilter; publicKey?: string },
    signal: AbortSignal,
  ): Promise<Claim | undefined> {
    await this.#requireKey(pool, request.publicKey);
    const waiting = this.#waiting.get(pool) ?? 0;
    const waitMs =
      waiting < MAX_WAITING_CLAIMS ? Math.min(Math.max(request.waitMs, 0), MAX_CLAIM_WAIT_MS) : 0;
    const deadline = Date.now() + waitMs;
    const filter: ClaimFilter = { ...definedOnly(request.filter ?? {}), pool };
    if (waitMs > 0) this.#waiting.set(pool, waiting + 1);
    try {
      for (;;) {
        const claim = await this.#store.claimRun(request.owner, clampTtl(request.ttlMs), { filter });
        // A runner is sent the run and its lease: nothing else the store read with them.
        if (claim) return { run: claim.run, lease: claim.lease };
        if (Date.now() >= deadline || signal.aborted) return undefined;
        // The runner hung up or the wait is over: either way the loop ends at its next check.
        await sleep(CLAIM_POLL_MS, undefined, { signal }).catch(() => undefined);
        // A runner that hung up gets no claim it would never hear of.
        if (signal.aborted) return undefined;
      }
    } finally {
      if (waitMs > 0) {
        const left = (this.#waiting.get(pool) ?? 1) - 1;
        if (left > 0) this.#waiting.set(pool, left);
        else this.#waiting.delete(pool);
      }
    }
  }

  /** The run, for the runner holding its lease. */
  async run(pool: string, runId: string, token: string): Promise<RunRecord> {
    return this.#leased(pool, runId, token);
  }

  /** Extends the lease; false when the token no longer holds it. */
  async renew(
    pool: string,
    runId: string,
    token: string,
    ttlMs: number,
    activeMs?: number,
  ): Promise<boolean> {
    const run = await this.#ofPool(pool, runId);
    return this.#store.renewLease(
      { runId, token },
      clampTtl(ttlMs),
      activeMs === undefined ? {} : { activeMs: forwardOnly(run, activeMs) },
    );
  }

  /**
   * Releases the lease of a run handed back. A run that ended keeps its lease until the
   * runner's receipt is recorded (or the lease expires), so that only its finisher completes it.
   */
  async release(pool: string, runId: string, token: string): Promise<void> {
    const run = await this.#ofPool(pool, runId);
    if (isRunEnded(run.status)) return;
    await this.#store.releaseLease({ runId, token });
  }

  /** Applies the few run fields a runner may set outside its events (see {@link RunnerRunPatch}). */
  async update(pool: string, runId: string, token: string, patch: RunnerRunPatch): Promise<RunRecord> {
    const run = await this.#leased(pool, runId, token);
    if (patch.status === 'queued' && (patch.lease !== null || isRunEnded(run.status)))
      throw new UserError(
        'invalid_request',
        'a run is handed back as queued with its lease cleared, before it ends',
      );
    const fields = definedOnly(patch);
    if (fields.activeMs !== undefined) fields.activeMs = forwardOnly(run, fields.activeMs);
    return fenced(runId, () => this.#store.updateRun(runId, fields, { runId, token }));
  }

  /** The events of the run's session (`readEvents`), for the runner holding its lease. */
  async readEvents(
    pool: string,
    runId: string,
    token: string,
    options: ReadEventsOptions,
  ): Promise<BatonEvent[]> {
    const run = await this.#leased(pool, runId, token);
    return this.#store.readEvents(run.sessionId, options);
  }

  /** The head of the run's session log. */
  async head(pool: string, runId: string, token: string): Promise<{ seq: number; hash: string } | undefined> {
    const run = await this.#leased(pool, runId, token);
    return this.#store.head(run.sessionId);
  }

  /**
   * Appends a runner's events to its run's session, fenced by its lease token (a stale runner
   * gets `stale_lease`, 409, and nothing is written). The run and session updates come from the
   * events themselves, computed here; a terminal event keeps the lease for the receipt.
   */
  async append(pool: string, runId: string, token: string, append: RunnerAppend): Promise<BatonEvent[]> {
    const run = await this.#ofPool(pool, runId);
    const refused = append.events.find((event) => PLANE_ONLY_EVENTS.has(event.type));
    if (refused)
      throw new ForbiddenError(
        'runner_event_refused',
        `a runner may not record ${refused.type}: the plane does`,
      );
    for (const event of append.events) checkRunnerLifecycleEvent(event);
    checkNothingAfterEnd(run, append.events);
    checkRunnerGateIds(run.sessionId, append.events);
    await checkRunnerDecisions(this.#store, run.sessionId, append.events);
    await this.#checkNamedBlobs(run, append.events);
    const events = this.#ownStart(run, token, append.events);
    const now = new Date().toISOString();
    let runPatch: AppendOptions['runPatch'] = definedOnly(append.runPatch ?? {});
    if (runPatch.activeMs !== undefined) runPatch.activeMs = forwardOnly(run, runPatch.activeMs);
    let sessionPatch: AppendOptions['sessionPatch'];
    for (const event of events) {
      const patches = lifecyclePatches(event, now);
      if (patches.runPatch) runPatch = { ...runPatch, ...patches.runPatch };
      if (patches.sessionPatch) sessionPatch = { ...sessionPatch, ...patches.sessionPatch };
    }
    // The finisher still holds the run until its receipt is recorded (see `complete`).
    const { lease: _kept, ...keepingLease } = runPatch;
    const appended = await fenced(runId, () =>
      this.#store.append(run.sessionId, events, {
        runId,
        fence: { runId, token },
        runPatch: keepingLease,
        ...(sessionPatch && { sessionPatch }),
        ...(append.expectedHeadSeq !== undefined && { expectedHeadSeq: append.expectedHeadSeq }),
        ...(append.requireRunStatus && { requireRunStatus: append.requireRunStatus }),
      }),
    );
    if (events.some((event) => event.type === 'run.started')) this.#keepStarted(runId, token);
    return appended;
  }

  /**
   * The runner's events with the fields of its `run.started` that the plane owns set by the
   * plane: the attempt (counted from the run record by the runtime's own rule), the run's agent
   * and kind, and the lease owner as the worker. A second start under one lease is a conflict,
   * and so is a definition hash other than the one the run was first started under.
   */
  #ownStart(run: RunRecord, token: string, drafts: EventDraft[]): EventDraft[] {
    const starts = drafts.filter((draft) => draft.type === 'run.started');
    if (starts.length === 0) return drafts;
    if (starts.length > 1 || this.#started.get(run.id) === token)
      throw new ConflictError(
        `run ${run.id} already started under this lease; claim it again to start again`,
      );
    return drafts.map((draft): EventDraft => {
      if (draft.type !== 'run.started') return draft;
      if (run.definitionHash !== null && draft.data.definitionHash !== run.definitionHash)
        throw new ConflictError(
          `run ${run.id} started under definition ${run.definitionHash}, not ${draft.data.definitionHash}; record run.failed instead`,
        );
      return {
        type: 'run.started',
        data: {
          agent: run.agent,
          attempt: startAttemptOf(run).attempt,
          definitionHash: draft.data.definitionHash,
          kind: run.kind,
          ...(run.lease && { worker: run.lease.owner }),
        },
      };
    });
  }

  #keepStarted(runId: string, token: string): void {
    this.#started.delete(runId);
    this.#started.set(runId, token);
    for (const oldest of this.#started.keys()) {
      if (this.#started.size <= MAX_STARTED_KEPT) break;
      this.#started.delete(oldest);
    }
  }

  /** Refuses a runner's event naming a blob its run may not read (`runner_event_refused`, 403). */
  async #checkNamedBlobs(run: RunRecord, drafts: readonly EventDraft[]): Promise<void> {
    for (const draft of drafts) {
      if (draft.type !== 'workspace.patch') continue;
      const hash: unknown = (draft.data as { patchHash?: unknown }).patchHash;
      if (hash === null || hash === undefined) continue;
      if (typeof hash !== 'string' || !(await this.#blobs.mayRead(run, hash)))
        throw new ForbiddenError(
          'runner_event_refused',
          `a runner names in its events only blobs it uploaded for the run or the run names: ${String(hash)} is neither`,
        );
    }
  }

  /**
   * Completes a finished run with the runner's receipt (stored as blob `envelopeHash`): it must
   * verify against this store (signatures, contract, log head, artifacts), name this run and its
   * attempts, and be signed by a key registered for the pool. Records `receipt.issued` and
   * clears the lease in one fenced commit.
   */
  async complete(pool: string, runId: string, token: string, envelopeHash: string): Promise<string> {
    const run = await this.#leased(pool, runId, token);
    if (!isRunEnded(run.status))
      throw new ConflictError(`run ${runId} has not ended; record its end first`, 'run_not_finished');
    // Only a blob the run may read (its runner uploaded it for the run): any other hash, another
    // pool's included, is as missing as one never stored, so this tells nothing about it.
    const bytes = await this.#blobs.read(run, envelopeHash);
    if (!bytes)
      throw new UserError(
        'receipt_refused',
        `no blob ${envelopeHash} for this run: upload the receipt first`,
      );
    const verdict = await verifyReceiptFile(bytes, { store: this.#store });
    if (!verdict.valid)
      throw new UserError('receipt_refused', `the receipt does not verify: ${verdict.reason}`);
    const envelope = envelopeSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    const { receipt } = envelope;
    if (receipt.runId !== runId || receipt.attempts !== run.attempt || receipt.runner.pool !== pool)
      throw new UserError(
        'receipt_refused',
        `the receipt must name run ${runId}, attempt ${run.attempt} and pool ${pool}`,
      );
    await this.#requireKey(pool, envelope.signatures.receipt.publicKey);
    const receiptHash = hashCanonical(receipt);
    await fenced(runId, () =>
      this.#store.append(run.sessionId, [{ type: 'receipt.issued', data: { envelopeHash, receiptHash } }], {
        runId,
        fence: { runId, token },
        runPatch: { lease: null },
      }),
    );
    // The receipt is recorded: the run's memory here goes first, whatever the marks' clean-up meets.
    this.#started.delete(runId);
    await this.#blobs.forget(runId);
    return receiptHash;
  }

  async #requireKey(pool: string, publicKey: string | undefined): Promise<void> {
    if (publicKey === undefined || !(await isRunnerKey(this.#store, { pool, publicKey })))
      throw new ForbiddenError(
        'unregistered_runner_key',
        `the key ${publicKey ?? '(none)'} is not registered as a runner key of pool ${pool}`,
      );
  }

  /** The run, when it is one of `pool`'s (another pool's run is not found, not forbidden). */
  async #ofPool(pool: string, runId: string): Promise<RunRecord> {
    const run = await this.#store.getRun(runId);
    if (run?.pool !== pool) throw new NotFoundError('run', runId);
    return run;
  }

  async #leased(pool: string, runId: string, token: string): Promise<RunRecord> {
    const run = await this.#ofPool(pool, runId);
    if (run.lease?.token !== token) throw staleLease(runId);
    return run;
  }
}

/**
 * Refuses (409) a lifecycle event after the run's end, recorded or earlier in the same batch:
 * a finished run is neither revived nor ended again (its receipt pins its one terminal event).
 */
function checkNothingAfterEnd(run: RunRecord, drafts: readonly EventDraft[]): void {
  let ended: string | undefined = isRunEnded(run.status) ? run.status : undefined;
  for (const draft of drafts) {
    if (!LIFECYCLE_EVENTS.has(draft.type)) continue;
    if (ended !== undefined)
      throw new ConflictError(
        `run ${run.id} has ended (${ended}): a runner records no ${draft.type} after its end`,
      );
    if (draft.type !== 'run.started' && draft.type !== 'run.waiting') ended = draft.type;
  }
}

function staleLease(runId: string): ConflictError {
  return new ConflictError(
    `the lease token no longer holds run ${runId} (it expired or another runner took the run over)`,
    'stale_lease',
  );
}

/** Runs a fenced write, reporting a lost lease as `stale_lease` (409) rather than a server fault. */
async function fenced<T>(runId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof LeaseLostError) throw staleLease(runId);
    throw error;
  }
}

/**
 * A runner's report of the run's active time, never below what is recorded: the time limit is
 * measured on it, and only ever grows (summed over attempts), so a runner cannot wind it back.
 */
function forwardOnly(run: RunRecord, activeMs: number): number {
  return Math.max(run.activeMs, activeMs);
}

function clampTtl(ttlMs: number): number {
  return Math.min(Math.max(Math.round(ttlMs), MIN_RUNNER_TTL_MS), MAX_RUNNER_TTL_MS);
}
