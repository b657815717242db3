import { ConflictError, LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { sha256Hex } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import { EventHub } from '../event-hub.js';
import { decodeCursor, encodeCursor } from '../page-cursor.js';
import {
  applyRunPatch,
  applySessionPatch,
  applyTaskPatch,
  buildRunRecord,
  buildSessionRecord,
  buildTaskRecord,
  copyJson,
  isClaimable,
  TERMINAL_TASK_STATUSES,
} from '../records.js';
import { sealDrafts } from '../seal-drafts.js';
import type {
  AppendOptions,
  Claim,
  EventListener,
  Fence,
  NewRun,
  NewSession,
  NewTask,
  Page,
  RunPatch,
  RunRecord,
  RunStatus,
  SessionPatch,
  SessionRecord,
  Store,
  TaskPatch,
  TaskRecord,
} from '../store.js';
import { checkLimit, checkTtl } from '../validate.js';

/** A record with the insertion position that orders lists and backs cursors. */
interface Positioned<T> {
  position: number;
  record: T;
}

/**
 * The in-memory store: the whole port in plain maps, for tests, demos and the in-memory
 * benchmark. Every method body runs synchronously, so each call is atomic the way a
 * transaction is; records are JSON-copied in and out, as a database would.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly #sessions = new Map<string, Positioned<SessionRecord>>();
  readonly #runs = new Map<string, Positioned<RunRecord>>();
  readonly #tasks = new Map<string, Positioned<TaskRecord>>();
  readonly #events = new Map<string, BatonEvent[]>();
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #hub = new EventHub();
  #nextPosition = 1;
  #closed = false;

  async createSession(session: NewSession): Promise<SessionRecord> {
    if (this.#sessions.has(session.id)) throw new ConflictError(`session ${session.id} already exists`);
    const record = buildSessionRecord(session, new Date().toISOString());
    this.#sessions.set(session.id, { position: this.#nextPosition++, record });
    return copyJson(record);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const entry = this.#sessions.get(id);
    return entry && copyJson(entry.record);
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    for (const { record } of this.#sessions.values()) {
      if (record.tokenHash === tokenHash) return copyJson(record);
    }
    return undefined;
  }

  async listSessions(options: { limit: number; cursor?: string }): Promise<Page<SessionRecord>> {
    return page([...this.#sessions.values()], options);
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    const entry = this.#requireSession(id);
    entry.record = applySessionPatch(entry.record, patch, new Date().toISOString());
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const existing = run.idempotencyKey === null ? undefined : this.#runByKey(run.idempotencyKey);
    if (existing) return { run: copyJson(existing), created: false };
    this.#requireSession(run.sessionId);
    if (this.#runs.has(run.id)) throw new ConflictError(`run ${run.id} already exists`);
    const record = buildRunRecord(run, new Date().toISOString());
    this.#runs.set(run.id, { position: this.#nextPosition++, record });
    return { run: copyJson(record), created: true };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const entry = this.#runs.get(id);
    return entry && copyJson(entry.record);
  }

  async findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined> {
    const record = this.#runByKey(key);
    return record && copyJson(record);
  }

  async listRuns(options: {
    sessionId?: string;
    status?: RunStatus[];
    limit: number;
    cursor?: string;
  }): Promise<Page<RunRecord>> {
    const { sessionId, status } = options;
    const entries = [...this.#runs.values()].filter(
      ({ record }) =>
        (sessionId === undefined || record.sessionId === sessionId) &&
        (status === undefined || status.includes(record.status)),
    );
    return page(entries, options);
  }

  async updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord> {
    if (fence) this.#checkFence(fence);
    const entry = this.#requireRun(id);
    entry.record = applyRunPatch(entry.record, patch, new Date().toISOString());
    return copyJson(entry.record);
  }

  async append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    // Every check happens before anything changes, so a failed append writes nothing.
    if (options.fence) this.#checkFence(options.fence);
    const session = this.#requireSession(sessionId);
    const run = options.runPatch ? this.#requireRun(options.runId) : undefined;
    const log = this.#events.get(sessionId) ?? [];
    const now = new Date().toISOString();
    const events = sealDrafts(log.at(-1), drafts, { sessionId, runId: options.runId, ts: now });
    log.push(...events);
    this.#events.set(sessionId, log);
    if (run && options.runPatch) run.record = applyRunPatch(run.record, options.runPatch, now);
    if (options.sessionPatch) session.record = applySessionPatch(session.record, options.sessionPatch, now);
    this.#hub.publish(events);
    return events.map((event) => copyJson(event));
  }

  async readEvents(
    sessionId: string,
    options: { from?: number; limit?: number; types?: string[] } = {},
  ): Promise<BatonEvent[]> {
    const from = options.from ?? 0;
    const types = options.types;
    const matching = (this.#events.get(sessionId) ?? []).filter(
      (event) => event.seq >= from && (types === undefined || types.includes(event.type)),
    );
    const limited = options.limit === undefined ? matching : matching.slice(0, checkLimit(options.limit));
    return limited.map((event) => copyJson(event));
  }

  async head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    const last = this.#events.get(sessionId)?.at(-1);
    return last && { seq: last.seq, hash: last.hash };
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    return this.#hub.subscribe(sessionId, (event) => listener(copyJson(event)));
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    if (!this.#blobs.has(hash)) this.#blobs.set(hash, Uint8Array.from(bytes));
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(hash);
    return bytes && Uint8Array.from(bytes);
  }

  async claimRun(owner: string, ttlMs: number, options: { runId?: string } = {}): Promise<Claim | undefined> {
    checkTtl(ttlMs);
    const now = Date.now();
    const candidates =
      options.runId === undefined ? [...this.#runs.values()] : [this.#runs.get(options.runId)];
    // Map iteration follows insertion order, so the first runnable entry is the oldest.
    const entry = candidates.find(
      (candidate) => candidate !== undefined && isClaimable(candidate.record, now),
    );
    if (!entry) return undefined;
    const lease = { owner, token: newSecret(), expiresAt: now + ttlMs };
    const at = new Date(now).toISOString();
    entry.record = {
      ...entry.record,
      status: 'running',
      lease,
      startedAt: entry.record.startedAt ?? at,
      updatedAt: at,
    };
    return { run: copyJson(entry.record), lease: { ...lease } };
  }

  async renewLease(fence: Fence, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const entry = this.#runs.get(fence.runId);
    const lease = entry?.record.lease;
    if (!entry || !lease || lease.token !== fence.token) return false;
    entry.record = { ...entry.record, lease: { ...lease, expiresAt: Date.now() + ttlMs } };
    return true;
  }

  async releaseLease(fence: Fence): Promise<void> {
    const entry = this.#runs.get(fence.runId);
    if (!entry || entry.record.lease?.token !== fence.token) return;
    entry.record = { ...entry.record, lease: null, updatedAt: new Date().toISOString() };
  }

  async createTask(task: NewTask): Promise<{ task: TaskRecord; created: boolean }> {
    const existing = this.#taskBy((record) => record.idempotencyKey === task.idempotencyKey);
    if (existing) return { task: copyJson(existing), created: false };
    if (this.#tasks.has(task.id)) throw new ConflictError(`task ${task.id} already exists`);
    const record = buildTaskRecord(task, new Date().toISOString());
    this.#tasks.set(task.id, { position: this.#nextPosition++, record });
    return { task: copyJson(record), created: true };
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const entry = this.#tasks.get(id);
    return entry && copyJson(entry.record);
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined> {
    const record = this.#taskBy((candidate) => candidate.idempotencyKey === key);
    return record && copyJson(record);
  }

  async findTaskByRunId(runId: string): Promise<TaskRecord | undefined> {
    const record = this.#taskBy((candidate) => candidate.runId === runId);
    return record && copyJson(record);
  }

  async listTasks(options: {
    namespace?: string;
    profile?: string;
    since?: string;
    status?: TaskRecord['status'][];
    limit: number;
  }): Promise<TaskRecord[]> {
    const limit = checkLimit(options.limit);
    const { namespace, profile, since, status } = options;
    return [...this.#tasks.values()]
      .reverse()
      .map(({ record }) => record)
      .filter(
        (record) =>
          (namespace === undefined || record.namespace === namespace) &&
          (profile === undefined || record.profile === profile) &&
          (since === undefined || record.createdAt >= since) &&
          (status === undefined || status.includes(record.status)),
      )
      .slice(0, limit)
      .map((record) => copyJson(record));
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    const entry = this.#tasks.get(id);
    if (!entry) throw new NotFoundError('task', id);
    entry.record = applyTaskPatch(entry.record, patch);
    return copyJson(entry.record);
  }

  async pruneTasks(keep: number): Promise<number> {
    const terminal = [...this.#tasks.values()].filter(({ record }) =>
      TERMINAL_TASK_STATUSES.includes(record.status),
    );
    const doomed = terminal.slice(0, Math.max(0, terminal.length - Math.max(0, keep)));
    for (const { record } of doomed) this.#tasks.delete(record.id);
    return doomed.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.clear();
  }

  #requireSession(id: string): Positioned<SessionRecord> {
    const entry = this.#sessions.get(id);
    if (!entry) throw new NotFoundError('session', id);
    return entry;
  }

  #requireRun(id: string): Positioned<RunRecord> {
    const entry = this.#runs.get(id);
    if (!entry) throw new NotFoundError('run', id);
    return entry;
  }

  #checkFence(fence: Fence): void {
    if (this.#runs.get(fence.runId)?.record.lease?.token !== fence.token)
      throw new LeaseLostError(fence.runId);
  }

  #runByKey(key: string): RunRecord | undefined {
    for (const { record } of this.#runs.values()) {
      if (record.idempotencyKey === key) return record;
    }
    return undefined;
  }

  #taskBy(predicate: (record: TaskRecord) => boolean): TaskRecord | undefined {
    for (const { record } of this.#tasks.values()) {
      if (predicate(record)) return record;
    }
    return undefined;
  }
}

/** One page, newest first, of entries held in insertion order. */
function page<T>(entries: Positioned<T>[], options: { limit: number; cursor?: string }): Page<T> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? Number.POSITIVE_INFINITY : decodeCursor(options.cursor);
  const older = entries.filter((entry) => entry.position < before).reverse();
  const items = older.slice(0, limit);
  const last = items.at(-1);
  const result: Page<T> = { items: items.map((entry) => copyJson(entry.record)) };
  if (older.length > limit && last) result.nextCursor = encodeCursor(last.position);
  return result;
}
