import { ConflictError, LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { sha256Hex } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import { headMoved, runExists, runStatusChanged } from '../append-conflict.js';
import { matchesClaimFilter } from '../claim-filter.js';
import { EventHub } from '../event-hub.js';
import type { ListOptions, Page } from '../page.js';
import { pageOf } from '../page.js';
import { decodeCursor } from '../page-cursor.js';
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
import type {
  AppendOptions,
  Claim,
  ClaimOptions,
  EventListener,
  Fence,
  ListRunsOptions,
  NewRun,
  NewSession,
  NewSessionStart,
  ReadEventsOptions,
  RunPatch,
  RunRecord,
  SessionPatch,
  SessionRecord,
  StepBoundary,
} from '../run-store.js';
import { type SealedDrafts, sealDraftsWithJson } from '../seal-drafts.js';
import type { Store } from '../store.js';
import type { ListTasksOptions, NewTask, TaskPatch, TaskRecord } from '../task-store.js';
import { checkLimit, checkTtl } from '../validate.js';
import type { WorkerAnnouncement, WorkerRecord } from '../worker-registry.js';

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
  readonly #workers = new Map<string, WorkerRecord>();
  /** Mark keys by scope. */
  readonly #marks = new Map<string, Set<string>>();
  readonly #hub = new EventHub();
  #nextPosition = 1;
  #closed = false;

  async createSession(session: NewSession): Promise<SessionRecord> {
    if (this.#sessions.has(session.id)) throw new ConflictError(`session ${session.id} already exists`);
    const record = buildSessionRecord(session, new Date().toISOString());
    this.#sessions.set(session.id, { position: this.#nextPosition++, record });
    return copyJson(record);
  }

  async startSession(start: NewSessionStart): Promise<{ run: RunRecord; created: boolean }> {
    const existing = this.#existingRun(start.run);
    if (existing) return { run: copyJson(existing), created: false };
    if (this.#sessions.has(start.session.id))
      throw new ConflictError(`session ${start.session.id} already exists`);
    if (this.#runs.has(start.run.id)) throw new ConflictError(`run ${start.run.id} already exists`);
    const now = new Date().toISOString();
    const session = { position: this.#nextPosition++, record: buildSessionRecord(start.session, now) };
    this.#sessions.set(start.session.id, session);
    const { events } = this.#commit(session, start.events, start.run.id, now);
    const run = this.#insertRun(start.run, now);
    this.#hub.publish(events);
    return { run: copyJson(run), created: true };
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

  async listSessions(options: ListOptions): Promise<Page<SessionRecord>> {
    return page([...this.#sessions.values()], options);
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    const entry = this.#requireSession(id);
    entry.record = applySessionPatch(entry.record, patch, new Date().toISOString());
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const existing = this.#existingRun(run);
    if (existing) return { run: copyJson(existing), created: false };
    this.#requireSession(run.sessionId);
    if (this.#runs.has(run.id)) throw new ConflictError(`run ${run.id} already exists`);
    return { run: copyJson(this.#insertRun(run, new Date().toISOString())), created: true };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const entry = this.#runs.get(id);
    return entry && copyJson(entry.record);
  }

  async findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined> {
    const record = this.#runByKey(key);
    return record && copyJson(record);
  }

  async listRuns(options: ListRunsOptions): Promise<Page<RunRecord>> {
    const { sessionId, status, filter } = options;
    const entries = [...this.#runs.values()].filter(
      ({ record }) =>
        (sessionId === undefined || record.sessionId === sessionId) &&
        (status === undefined || status.includes(record.status)) &&
        matchesClaimFilter(record, filter),
    );
    return page(entries, options);
  }

  async listActiveAgentModules(options: { pool?: string } = {}): Promise<string[]> {
    const modules = new Set<string>();
    for (const { record } of this.#runs.values()) {
      if (options.pool !== undefined && record.pool !== options.pool) continue;
      if ((record.status === 'queued' || record.status === 'running') && record.agentModule !== null)
        modules.add(record.agentModule);
    }
    return [...modules];
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
    if (options.requireRunStatus) {
      const status = this.#runs.get(options.runId)?.record.status;
      if (status === undefined || !options.requireRunStatus.includes(status))
        throw runStatusChanged(options.runId, status);
    }
    const run = options.runPatch ? this.#requireRun(options.runId) : undefined;
    const headSeq = session.record.headSeq;
    if (options.expectedHeadSeq !== undefined && options.expectedHeadSeq !== headSeq)
      throw headMoved(sessionId, options.expectedHeadSeq, headSeq);
    const { createRun } = options;
    if (createRun && this.#existingRun(createRun)) throw runExists(createRun.idempotencyKey, createRun.id);
    if (createRun && this.#runs.has(createRun.id))
      throw new ConflictError(`run ${createRun.id} already exists`);
    const now = new Date().toISOString();
    const { events, dataJson } = this.#commit(session, drafts, options.runId, now);
    if (run && options.runPatch) run.record = applyRunPatch(run.record, options.runPatch, now);
    if (options.sessionPatch) session.record = applySessionPatch(session.record, options.sessionPatch, now);
    if (createRun) this.#insertRun(createRun, now);
    this.#hub.publish(events);
    // The caller's copies: the envelope is all strings and numbers, the data is re-read from its JSON.
    return events.map((event, index) => ({ ...event, data: JSON.parse(dataJson[index] as string) }));
  }

  async readEvents(sessionId: string, options: ReadEventsOptions = {}): Promise<BatonEvent[]> {
    const from = options.from ?? 0;
    const types = options.types;
    const matching = (this.#events.get(sessionId) ?? []).filter(
      (event) => event.seq >= from && (types === undefined || types.includes(event.type)),
    );
    const limited = options.limit === undefined ? matching : matching.slice(0, checkLimit(options.limit));
    const page: BatonEvent[] = [];
    let bytes = 0;
    for (const event of limited) {
      // Measured as the SQL stores measure it: the bytes of the data's JSON text.
      const size = Buffer.byteLength(JSON.stringify(event.data));
      if (options.maxBytes !== undefined && page.length > 0 && bytes + size > options.maxBytes) break;
      bytes += size;
      page.push(copyJson(event));
    }
    return page;
  }

  async head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    const session = this.#sessions.get(sessionId)?.record;
    if (!session || session.headSeq === null || session.headHash === null) return undefined;
    return { seq: session.headSeq, hash: session.headHash };
  }

  async stepBoundary(sessionId: string, runId: string): Promise<StepBoundary> {
    return {
      head: await this.head(sessionId),
      cancelRequested: this.#runs.get(runId)?.record.cancelRequested ?? false,
    };
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

  async claimRun(owner: string, ttlMs: number, options: ClaimOptions = {}): Promise<Claim | undefined> {
    checkTtl(ttlMs);
    const now = Date.now();
    const candidates =
      options.runId === undefined ? [...this.#runs.values()] : [this.#runs.get(options.runId)];
    // Map iteration follows insertion order, so the first runnable entry is the oldest.
    const entry = candidates.find(
      (candidate) =>
        candidate !== undefined &&
        isClaimable(candidate.record, now) &&
        matchesClaimFilter(candidate.record, options.filter),
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

  async renewLease(fence: Fence, ttlMs: number, options: { activeMs?: number } = {}): Promise<boolean> {
    checkTtl(ttlMs);
    const entry = this.#runs.get(fence.runId);
    const lease = entry?.record.lease;
    if (!entry || !lease || lease.token !== fence.token) return false;
    entry.record = {
      ...entry.record,
      lease: { ...lease, expiresAt: Date.now() + ttlMs },
      activeMs: options.activeMs ?? entry.record.activeMs,
    };
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

  async listTasks(options: ListTasksOptions): Promise<Page<TaskRecord>> {
    const { namespace, profile, since, status } = options;
    const entries = [...this.#tasks.values()].filter(
      ({ record }) =>
        (namespace === undefined || record.namespace === namespace) &&
        (profile === undefined || record.profile === profile) &&
        (since === undefined || record.createdAt >= since) &&
        (status === undefined || status.includes(record.status)),
    );
    return page(entries, options);
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

  async announceWorker(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    checkTtl(ttlMs);
    const now = Date.now();
    this.#dropStaleWorkers(now);
    const previous = this.#workers.get(worker.id);
    // Re-inserted on every heartbeat would reorder; the map keeps the first announcement's place.
    const record: WorkerRecord = {
      ...copyJson(worker),
      lastHeartbeatAt: new Date(now).toISOString(),
      expiresAt: now + ttlMs,
    };
    if (previous) Object.assign(previous, record);
    else this.#workers.set(worker.id, record);
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    this.#dropStaleWorkers(Date.now());
    return [...this.#workers.values()].map((worker) => copyJson(worker));
  }

  async removeWorker(id: string): Promise<void> {
    this.#workers.delete(id);
  }

  async putMark(scope: string, key: string): Promise<boolean> {
    const keys = this.#marks.get(scope) ?? new Set<string>();
    this.#marks.set(scope, keys);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  async deleteMark(scope: string, key: string): Promise<void> {
    this.#marks.get(scope)?.delete(key);
  }

  async listMarks(scope: string): Promise<string[]> {
    return [...(this.#marks.get(scope) ?? [])].sort();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.clear();
  }

  #dropStaleWorkers(now: number): void {
    for (const [id, worker] of this.#workers) if (worker.expiresAt <= now) this.#workers.delete(id);
  }

  /** Seals and appends drafts to a session's log and moves its head; returns the stored events. */
  #commit(
    session: Positioned<SessionRecord>,
    drafts: readonly EventDraft[],
    runId: string,
    now: string,
  ): SealedDrafts {
    const { record } = session;
    const head =
      record.headSeq === null || record.headHash === null
        ? undefined
        : { seq: record.headSeq, hash: record.headHash };
    const sealed = sealDraftsWithJson(head, drafts, { sessionId: record.id, runId, ts: now });
    const { events } = sealed;
    const last = events.at(-1);
    if (!last) return sealed;
    const log = this.#events.get(record.id) ?? [];
    log.push(...events);
    this.#events.set(record.id, log);
    session.record = { ...record, headSeq: last.seq, headHash: last.hash };
    return sealed;
  }

  /** Inserts a queued run and marks its session `running`. */
  #insertRun(run: NewRun, now: string): RunRecord {
    const record = buildRunRecord(run, now);
    this.#runs.set(run.id, { position: this.#nextPosition++, record });
    const session = this.#requireSession(run.sessionId);
    session.record = applySessionPatch(session.record, { status: 'running' }, now);
    return record;
  }

  #existingRun(run: NewRun): RunRecord | undefined {
    return run.idempotencyKey === null ? undefined : this.#runByKey(run.idempotencyKey);
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
function page<T>(entries: Positioned<T>[], options: ListOptions): Page<T> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? Number.POSITIVE_INFINITY : decodeCursor(options.cursor);
  const older = entries.filter((entry) => entry.position < before).reverse();
  return pageOf(
    older.slice(0, limit + 1),
    limit,
    (entry) => entry.position,
    (entry) => copyJson(entry.record),
  );
}
