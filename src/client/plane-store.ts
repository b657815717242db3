import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectionFailure, isUnavailableStatus } from '../core/connection-failure.js';
import { LeaseLostError } from '../core/errors.js';
import type { BatonEvent, EventDraft } from '../core/events.js';
import { sha256Hex } from '../core/hash.js';
import type { SigningKeys } from '../proof/keys.js';
import { AppendConflictError } from '../store/append-conflict.js';
import type {
  AppendOptions,
  Claim,
  ClaimOptions,
  Fence,
  ReadEventsOptions,
  RunPatch,
  RunRecord,
} from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WorkerAnnouncement, WorkerRecord } from '../store/worker-registry.js';
import { NotSupportedError } from '../workspace/errors.js';
import { apiErrorFrom, BatonApiError } from './client-error.js';

/** Options of {@link PlaneStore}. */
export interface PlaneStoreOptions {
  /** The plane's base URL (`baton serve`), e.g. `http://127.0.0.1:8787`. */
  url: string;
  pool: string;
  /** The pool's runner token, when the plane wants one. */
  token?: string;
  /** The runner's own keys: their public key is the one it registered. */
  keys: SigningKeys;
  /** How long one claim waits at the plane for work (a long poll). */
  claimWaitMs?: number;
  /**
   * Fires when the runner is stopping: from then on a call whose connection breaks is repeated
   * as a pool call is (briefly), and a wait before a repeat ends at once, so a runner stopping
   * while its plane is down does not wait out half a minute per call.
   */
  signal?: AbortSignal;
  /**
   * Real paths of the runner's machine that sandboxed commands must never see (its own Baton
   * home, with its private key): added to the hidden paths of each claimed run's policy.
   */
  hidePaths?: readonly string[];
}

const DEFAULT_CLAIM_WAIT_MS = 10_000;
/**
 * Waits before each repeat of a call about a held run whose connection failed: about 30 s in
 * all, then it fails. As long as a default lease (30 s), so a plane restarted within it (a
 * deploy) loses no run.
 */
const RUN_RETRY_DELAYS_MS = [50, 250, 1_000, 2_000, 4_000, 8_000, 15_000];
/**
 * ...and of a pool call (claim, worker presence, key, modules) or a lease renewal: enough for a
 * socket the plane closed as the request went out. The worker loop and the lease keeper ask
 * again anyway, and a runner stopping while the plane is down must not wait half a minute for
 * its claim or its goodbye.
 */
const POOL_RETRY_DELAYS_MS = [50, 250];

/** A request to the plane: its lease header, and how it is repeated when its connection breaks. */
type PlaneRequest = RequestInit & { lease?: string; retryDelaysMs?: readonly number[] };
/** The longest one attempt may take (a claim waits up to 25 s at the plane; a blob is ≤ 16 MiB). */
const ATTEMPT_TIMEOUT_MS = 90_000;
/** No repeat starts this long after a call's first attempt. */
const RETRY_WINDOW_MS = 60_000;

/**
 * The store a runner (`baton worker --pool`) works against: the plane's runner API over HTTP,
 * never a database. It offers what executing a claimed run needs — claim, lease, events, blobs,
 * the worker registry — each run call carrying the lease token of the claim; everything else a
 * store does (sessions, tasks, marks, listings) is the plane's and refused here.
 */
export class PlaneStore implements Store {
  readonly kind = 'plane';
  readonly #options: PlaneStoreOptions;
  readonly #base: string;
  /** Lease tokens of the runs this runner claimed, and each run's session. */
  readonly #claims = new Map<string, { token: string; sessionId: string }>();
  /** The run the current async work is for (see {@link withinRun}). */
  readonly #runInScope = new AsyncLocalStorage<string>();

  constructor(options: PlaneStoreOptions) {
    this.#options = options;
    this.#base = `${options.url.replace(/\/+$/, '')}/v1/runner/${encodeURIComponent(options.pool)}`;
  }

  /** The lease token this runner holds on `runId` (from its claim). */
  leaseOf(runId: string): string | undefined {
    return this.#claims.get(runId)?.token;
  }

  /**
   * One call to the plane, repeated when the connection failed or broke before the answer was
   * read (the plane closing an idle keep-alive socket as the request went out, a restart): a
   * run must not fail for a dropped connection. A write carries one `Idempotency-Key` over its
   * attempts, so the plane answers a repeat of one it already executed with the same answer.
   * Each attempt has a deadline, and one that timed out is not repeated: the plane may still
   * be executing it. No repeat starts a minute or more after the first attempt, well within
   * the five minutes the plane keeps an answer.
   */
  async #call<T>(path: string, init: PlaneRequest, read: (response: Response) => Promise<T>): Promise<T> {
    const headers = new Headers(init.headers);
    if (this.#options.token !== undefined) headers.set('authorization', `Bearer ${this.#options.token}`);
    if (init.lease !== undefined) headers.set('baton-lease', init.lease);
    if (typeof init.body === 'string') headers.set('content-type', 'application/json');
    if ((init.method ?? 'GET') !== 'GET') headers.set('idempotency-key', randomUUID());
    const firstAttemptAt = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
        const response = await fetch(`${this.#base}${path}`, { ...init, headers, signal });
        if (!response.ok) throw await apiErrorFrom(response);
        return await read(response);
      } catch (error) {
        const stopping = this.#options.signal?.aborted === true;
        const delay = (stopping ? POOL_RETRY_DELAYS_MS : (init.retryDelaysMs ?? RUN_RETRY_DELAYS_MS))[
          attempt
        ];
        const inWindow = delay !== undefined && performance.now() + delay - firstAttemptAt < RETRY_WINDOW_MS;
        if (!inWindow || !isRepeatable(error)) throw error;
        // A stop ends the wait early; the attempt after it is the last (see `signal`).
        await sleep(delay, undefined, { signal: this.#options.signal }).catch(() => undefined);
      }
    }
  }

  async #request(path: string, init: PlaneRequest = {}): Promise<void> {
    await this.#call(path, init, async (response) => {
      await response.body?.cancel();
    });
  }

  async #json<T>(path: string, init: PlaneRequest = {}): Promise<T> {
    return this.#call(path, init, async (response) => (await response.json()) as T);
  }

  #run(runId: string): { token: string; sessionId: string } {
    const claim = this.#claims.get(runId);
    if (!claim) throw new LeaseLostError(runId);
    return claim;
  }

  #runOfSession(sessionId: string): string {
    for (const [runId, claim] of this.#claims) if (claim.sessionId === sessionId) return runId;
    throw new NotSupportedError(`this runner holds no run of session ${sessionId}`);
  }

  /** Runs a call about a leased run, reporting the plane's `stale_lease` as a lost lease. */
  async #fenced<T>(runId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof BatonApiError && error.code === 'stale_lease') throw new LeaseLostError(runId);
      if (error instanceof BatonApiError && error.code === 'append_conflict')
        throw new AppendConflictError('head_moved', error.message);
      throw error;
    }
  }

  /**
   * The secrets the plane releases into the sandbox of a run this runner holds the lease of
   * (names from its contract, values from the plane's own source). Kept in memory only.
   */
  async releaseSecrets(runId: string): Promise<Record<string, string>> {
    const claim = this.#run(runId);
    return this.#fenced(runId, async () => {
      const body = await this.#json<{ secrets: Record<string, string> }>(`/runs/${runId}/secrets`, {
        method: 'POST',
        lease: claim.token,
      });
      return body.secrets;
    });
  }

  /** Registers the runner's key with the plane (proof: a signature by that key). */
  async registerKey(proof: unknown): Promise<void> {
    await this.#request('/keys', {
      method: 'POST',
      body: JSON.stringify({ proof }),
      retryDelaysMs: POOL_RETRY_DELAYS_MS,
    });
  }

  async claimRun(owner: string, ttlMs: number, options: ClaimOptions = {}): Promise<Claim | undefined> {
    const { pool: _plane, ...filter } = options.filter ?? {};
    const body = JSON.stringify({
      owner,
      ttlMs,
      waitMs: this.#options.claimWaitMs ?? DEFAULT_CLAIM_WAIT_MS,
      publicKey: this.#options.keys.publicKeyHex,
      ...(options.filter && { filter }),
    });
    const request = { method: 'POST', body, retryDelaysMs: POOL_RETRY_DELAYS_MS };
    const claim = await this.#call('/claim', request, async (response) =>
      response.status === 204 ? undefined : ((await response.json()) as Claim),
    );
    if (claim === undefined) return undefined;
    hideOnThisMachine(claim.run, this.#options.hidePaths ?? []);
    this.#claims.set(claim.run.id, { token: claim.lease.token, sessionId: claim.run.sessionId });
    // The run and its lease, nothing else a plane might send: a runner keeps no sessions.
    return { run: claim.run, lease: claim.lease };
  }

  async renewLease(fence: Fence, ttlMs: number, options: { activeMs?: number } = {}): Promise<boolean> {
    const body = JSON.stringify({
      ttlMs,
      ...(options.activeMs !== undefined && { activeMs: options.activeMs }),
    });
    const answer = await this.#fenced(fence.runId, () =>
      this.#json<{ renewed: boolean }>(`/runs/${fence.runId}/lease`, {
        method: 'POST',
        body,
        lease: fence.token,
        // The lease keeper renews every ttl/3 itself: a long repeat would outlast the lease.
        retryDelaysMs: POOL_RETRY_DELAYS_MS,
      }),
    );
    return answer.renewed;
  }

  async releaseLease(fence: Fence): Promise<void> {
    await this.#request(`/runs/${fence.runId}/release`, { method: 'POST', lease: fence.token });
  }

  /** Forgets a run this runner is done with (its receipt is recorded, or it was handed back). */
  forget(runId: string): void {
    this.#claims.delete(runId);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { token } = this.#run(id);
    return this.#fenced(
      id,
      async () => (await this.#json<{ run: RunRecord }>(`/runs/${id}`, { lease: token })).run,
    );
  }

  async updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord> {
    const token = fence?.token ?? this.#run(id).token;
    const body = JSON.stringify({ patch });
    return this.#fenced(
      id,
      async () =>
        (await this.#json<{ run: RunRecord }>(`/runs/${id}/update`, { method: 'POST', body, lease: token }))
          .run,
    );
  }

  async append(_sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    const token = options.fence?.token ?? this.#run(options.runId).token;
    const receipt = drafts.length === 1 && drafts[0]?.type === 'receipt.issued' ? drafts[0] : undefined;
    if (receipt?.type === 'receipt.issued') {
      // The receipt is the plane's to record: completing hands it over, and the plane checks it.
      await this.#fenced(options.runId, () =>
        this.#json(`/runs/${options.runId}/complete`, {
          method: 'POST',
          body: JSON.stringify({ envelopeHash: receipt.data.envelopeHash }),
          lease: token,
        }),
      );
      return [];
    }
    const { usage, activeMs } = options.runPatch ?? {};
    const body = JSON.stringify({
      events: drafts,
      ...((usage !== undefined || activeMs !== undefined) && {
        runPatch: { ...(usage !== undefined && { usage }), ...(activeMs !== undefined && { activeMs }) },
      }),
      ...(options.expectedHeadSeq !== undefined && { expectedHeadSeq: options.expectedHeadSeq }),
      ...(options.requireRunStatus && { requireRunStatus: options.requireRunStatus }),
    });
    return this.#fenced(
      options.runId,
      async () =>
        (
          await this.#json<{ events: BatonEvent[] }>(`/runs/${options.runId}/events`, {
            method: 'POST',
            body,
            lease: token,
          })
        ).events,
    );
  }

  async readEvents(sessionId: string, options: ReadEventsOptions = {}): Promise<BatonEvent[]> {
    const runId = this.#runOfSession(sessionId);
    const query = new URLSearchParams();
    if (options.from !== undefined) query.set('from', String(options.from));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.types !== undefined) query.set('types', options.types.join(','));
    const { token } = this.#run(runId);
    return this.#fenced(
      runId,
      async () =>
        (await this.#json<{ events: BatonEvent[] }>(`/runs/${runId}/events?${query}`, { lease: token }))
          .events,
    );
  }

  async head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    const runId = this.#runOfSession(sessionId);
    const { token } = this.#run(runId);
    const answer = await this.#fenced(runId, () =>
      this.#json<{ head: { seq: number; hash: string } | null }>(`/runs/${runId}/head`, { lease: token }),
    );
    return answer.head ?? undefined;
  }

  subscribe(): () => void {
    // Live events stay in the runner's process (its bus); readers follow the plane's log.
    return () => undefined;
  }

  /**
   * Runs `work` as work for run `runId`: the blobs it uploads are the run's (see
   * {@link putBlob}). The worker wraps each execution and its completion in it (`runScope`):
   * the store interface names no run on a blob, so the run travels with the async context.
   */
  withinRun<T>(runId: string, work: () => Promise<T>): Promise<T> {
    return this.#runInScope.run(runId, work);
  }

  /**
   * Uploads a blob for the run it is for: the plane takes uploads only under that run's lease,
   * counts them against its quota and lets only that run name them in its events. The run is
   * the one {@link withinRun} says, else the only run held; with several held and none said,
   * any choice could be the wrong one (its patch would then be refused), so none is made.
   */
  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    const runId = this.#uploadingFor();
    const { token } = this.#run(runId);
    await this.#fenced(runId, () =>
      this.#request(`/runs/${runId}/blobs/${hash}`, {
        method: 'PUT',
        body: Buffer.from(bytes),
        headers: { 'content-type': 'application/octet-stream' },
        lease: token,
      }),
    );
    return hash;
  }

  #uploadingFor(): string {
    const scoped = this.#runInScope.getStore();
    if (scoped !== undefined) return scoped;
    const held = [...this.#claims.keys()];
    if (held.length === 1 && held[0] !== undefined) return held[0];
    throw new NotSupportedError(
      held.length === 0
        ? 'a runner uploads blobs only for a run it holds'
        : `this runner holds ${held.length} runs: upload within the run the blob is for (withinRun)`,
    );
  }

  /**
   * A blob a run this runner holds names (its checkpoint, contract, what it uploaded): the
   * plane serves a blob only under the lease of a run that names it. Asked under the run
   * {@link withinRun} says, else under each held run; absent when none names it.
   */
  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const scoped = this.#runInScope.getStore();
    const held = this.#heldNewestFirst().filter(([runId]) => scoped === undefined || runId === scoped);
    for (const [runId, claim] of held) {
      try {
        return await this.#call(
          `/runs/${runId}/blobs/${hash}`,
          { lease: claim.token },
          async (response) => new Uint8Array(await response.arrayBuffer()),
        );
      } catch (error) {
        // Not this run's blob (404), or a run lost meanwhile: another held run may name it.
        if (!isLostRun(error)) throw error;
      }
    }
    return undefined;
  }

  #heldNewestFirst(): [string, { token: string; sessionId: string }][] {
    return [...this.#claims].reverse();
  }

  async announceWorker(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    const announced = { ...worker, publicKey: this.#options.keys.publicKeyHex };
    delete announced.pool;
    await this.#request('/workers', {
      method: 'POST',
      body: JSON.stringify({ worker: announced, ttlMs }),
      retryDelaysMs: POOL_RETRY_DELAYS_MS,
    });
  }

  async removeWorker(id: string): Promise<void> {
    await this.#request(`/workers/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      retryDelaysMs: POOL_RETRY_DELAYS_MS,
    });
  }

  async listActiveAgentModules(): Promise<string[]> {
    return (
      await this.#json<{ modules: string[] }>('/agent-modules', { retryDelaysMs: POOL_RETRY_DELAYS_MS })
    ).modules;
  }

  async listRuns(): Promise<{ items: RunRecord[] }> {
    // A runner reaps, sweeps and lists nothing: the plane's own workers do that for its store.
    return { items: [] };
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return refused('listWorkers');
  }

  async close(): Promise<void> {
    this.#claims.clear();
  }

  createSession = () => refused('createSession');
  startSession = () => refused('startSession');
  getSession = () => refused('getSession');
  findSessionByTokenHash = () => refused('findSessionByTokenHash');
  listSessions = () => refused('listSessions');
  updateSession = () => refused('updateSession');
  createRun = () => refused('createRun');
  findRunByIdempotencyKey = () => refused('findRunByIdempotencyKey');
  createTask = () => refused('createTask');
  getTask = () => refused('getTask');
  findTaskByIdempotencyKey = () => refused('findTaskByIdempotencyKey');
  findTaskByRunId = () => refused('findTaskByRunId');
  listTasks = () => refused('listTasks');
  updateTask = () => refused('updateTask');
  pruneTasks = () => refused('pruneTasks');
  putMark = () => refused('putMark');
  deleteMark = () => refused('deleteMark');
  listMarks = () => refused('listMarks');
}

/**
 * Whether a failed call may be repeated: its connection failed or broke, or a proxy in front of
 * the plane answered that the plane is unavailable (a restart behind a load balancer), or the
 * plane said so itself (its database unreachable). The Idempotency-Key makes either safe.
 */
function isRepeatable(error: unknown): boolean {
  if (error instanceof BatonApiError) return isUnavailableStatus(error.status);
  return isConnectionFailure(error);
}

/** A run answer meaning "not through this run": not found (not its blob, not its pool) or lease lost. */
function isLostRun(error: unknown): boolean {
  return error instanceof BatonApiError && (error.status === 404 || error.code === 'stale_lease');
}

/** Adds `paths` to the hidden paths of the run's sandbox policy, when it has one. */
function hideOnThisMachine(run: RunRecord, paths: readonly string[]): void {
  const policy = run.input.policy as { hidePaths?: unknown } | undefined;
  if (Array.isArray(policy?.hidePaths)) policy.hidePaths.push(...paths);
}

function refused(what: string): Promise<never> {
  return Promise.reject(
    new NotSupportedError(`a runner has no database: ${what} is the plane's (baton serve), not a runner's`),
  );
}
