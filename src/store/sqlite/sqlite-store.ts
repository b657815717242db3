import { NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { sha256Hex } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import { EventHub } from '../event-hub.js';
import type { ListOptions, Page } from '../page.js';
import { pageOf } from '../page.js';
import { buildSessionRecord, buildTaskRecord } from '../records.js';
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
import type { Store } from '../store.js';
import type { ListTasksOptions, NewTask, TaskPatch, TaskRecord } from '../task-store.js';
import { checkLimit, checkTtl } from '../validate.js';
import type { WorkerAnnouncement, WorkerRecord } from '../worker-registry.js';
import { servesOf } from '../worker-registry.js';
import { claimableRun } from './claimable-run.js';
import { EventWatcher } from './event-watcher.js';
import { KnownBoundaries } from './known-boundaries.js';
import { ListQuery } from './list-query.js';
import { HEAD_ROW_SEQ } from './migrations.js';
import { runPatchColumns, taskPatchColumns } from './patch-columns.js';
import type { EventRow, RunRow, SessionRow, TaskRow, WorkerRow } from './rows.js';
import {
  eventFromRow,
  runFromRow,
  sessionFromRow,
  sessionParams,
  taskFromRow,
  taskParams,
  workerFromRow,
} from './rows.js';
import {
  openSqliteConnection,
  type SqliteConnection,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-connection.js';
import { translateSqliteError } from './sqlite-file.js';
import { insertUnique, SqliteWrites } from './sqlite-writes.js';
import type { SqliteStatements } from './statements.js';
import type { BackgroundCheckpoints, WalCheckpointer } from './wal-checkpointer.js';

/**
 * The embedded store: one SQLite file in WAL mode through `better-sqlite3`, usable by several
 * processes at once. Every write is one `BEGIN IMMEDIATE` transaction, so checks and writes
 * see the same state even across processes. A damaged file makes every call reject with one
 * typed `store_corrupt` error.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  /** The durability level this connection commits with. */
  readonly synchronous: SqliteSynchronous;
  readonly #db: SqliteConnection['db'];
  readonly #statements: SqliteStatements;
  readonly #writes: SqliteWrites;
  readonly #hub: EventHub;
  readonly #watcher: EventWatcher;
  readonly #immediate: (work: () => unknown) => unknown;
  readonly #checkpointer: WalCheckpointer | undefined;
  readonly #known = new KnownBoundaries();
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    const connection = openSqliteConnection(path, options);
    this.synchronous = connection.synchronous;
    this.#db = connection.db;
    this.#statements = connection.statements;
    this.#immediate = connection.immediate;
    this.#checkpointer = connection.checkpointer;
    this.#writes = new SqliteWrites(this.#statements);
    this.#hub = new EventHub({
      onActiveChange: (active) => (active ? this.#watcher.start() : this.#watcher.stop()),
    });
    this.#watcher = new EventWatcher(this.#statements, this.#hub, options.pollIntervalMs ?? 25);
  }

  async createSession(session: NewSession): Promise<SessionRecord> {
    return this.#transaction(() => {
      const record = buildSessionRecord(session, new Date().toISOString());
      insertUnique(() => this.#statements.insertSession.run(sessionParams(record)), `session ${session.id}`);
      return record;
    });
  }

  async startSession(start: NewSessionStart): Promise<{ run: RunRecord; created: boolean }> {
    const result = this.#transaction(() => {
      const existing = this.#writes.runByKey(start.run.idempotencyKey);
      if (existing) return { run: existing, created: false as const };
      return { ...this.#writes.startSession(start, new Date().toISOString()), created: true as const };
    });
    if (!result.created) return result;
    const { appended } = result;
    this.#known.committed(start.session.id, appended.head, start.run.id, appended.cancelRequested);
    this.#watcher.committed(appended.events, appended.firstPos);
    return { run: result.run, created: true };
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.getSession.get(id) as SessionRow | undefined;
      return row && sessionFromRow(row);
    });
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.sessionByTokenHash.get(tokenHash) as SessionRow | undefined;
      return row && sessionFromRow(row);
    });
  }

  async listSessions(options: ListOptions): Promise<Page<SessionRecord>> {
    return this.#read(() =>
      this.#page('sessions_with_head', new ListQuery().before(options.cursor), options.limit, sessionFromRow),
    );
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    this.#transaction(() => this.#writes.patchSession(id, patch, new Date().toISOString()));
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    return this.#transaction(() => {
      const existing = this.#writes.runByKey(run.idempotencyKey);
      if (existing) return { run: existing, created: false };
      return { run: this.#writes.insertRun(run, new Date().toISOString()), created: true };
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.getRun.get(id) as RunRow | undefined;
      return row && runFromRow(row);
    });
  }

  async findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined> {
    return this.#read(() => this.#writes.runByKey(key));
  }

  async listRuns(options: ListRunsOptions): Promise<Page<RunRecord>> {
    const query = new ListQuery()
      .equals('session_id', options.sessionId)
      .oneOf('status', options.status)
      .matching(options.filter)
      .before(options.cursor);
    return this.#read(() => this.#page('runs', query, options.limit, runFromRow));
  }

  async listActiveAgentModules(options: { pool?: string } = {}): Promise<string[]> {
    return this.#read(
      () => this.#statements.activeAgentModules.all({ pool: options.pool ?? null }) as string[],
    );
  }

  async updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord> {
    // A cancel request made here shows at the run's next step boundary.
    this.#known.forget(undefined, id);
    return this.#transaction(() => {
      if (fence) this.#writes.checkFence(fence);
      const columns = { ...runPatchColumns(patch), updated_at: new Date().toISOString() };
      const row = this.#writes.update('runs', id, columns, true) as RunRow | undefined;
      if (!row) throw new NotFoundError('run', id);
      return runFromRow(row);
    });
  }

  async append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    const appended = this.#known.committing(sessionId, options.runId, () =>
      this.#transaction(() => this.#writes.append(sessionId, drafts, options, new Date().toISOString())),
    );
    this.#watcher.committed(appended.events, appended.firstPos);
    return appended.events;
  }

  async readEvents(sessionId: string, options: ReadEventsOptions = {}): Promise<BatonEvent[]> {
    const parameters: unknown[] = [sessionId, options.from ?? 0];
    // Through the session's keys (the head row after them excluded), then each event by its pos.
    // The event must be the key's own: a key can outlive its event (a row deleted by hand, as
    // the truthful-state tests do), and SQLite gives the newest pos again to the next insert,
    // of this session or another.
    let sql = `SELECT events.* FROM session_events AS keys CROSS JOIN events ON events.pos = keys.pos
        AND events.session_id = keys.session_id AND events.seq = keys.seq
      WHERE keys.session_id = ? AND keys.seq >= ? AND keys.seq < ${HEAD_ROW_SEQ}`;
    if (options.types !== undefined) {
      sql +=
        options.types.length === 0 ? ' AND 0' : ` AND type IN (${options.types.map(() => '?').join(', ')})`;
      parameters.push(...options.types);
    }
    sql += ' ORDER BY keys.seq';
    if (options.limit !== undefined) {
      sql += ' LIMIT ?';
      parameters.push(checkLimit(options.limit));
    }
    if (options.maxBytes !== undefined) {
      // The running size is summed over the page the inner query chose, so a large event is
      // never read just to be dropped; the first event always passes (`before` is 0).
      sql = `SELECT * FROM (SELECT page.*, SUM(length(CAST(data AS BLOB))) OVER (ORDER BY seq)
        - length(CAST(data AS BLOB)) AS before FROM (${sql}) AS page) WHERE before = 0 OR before + length(CAST(data AS BLOB)) <= ? ORDER BY seq`;
      parameters.push(checkLimit(options.maxBytes));
    }
    return this.#read(() =>
      (this.#statements.dynamic(sql).all(...parameters) as EventRow[]).map(eventFromRow),
    );
  }

  async head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    return this.#read(
      () => this.#statements.head.get(sessionId) as { seq: number; hash: string } | undefined,
    );
  }

  /**
   * The head and the run's cancel flag: as the run's latest append by this connection saw them
   * inside its transaction, when it knows both (a step boundary comes right after the step's
   * last append); else one small read (what `head` and `getRun` would give, without building
   * the whole run record). Another process's commit or cancel request after that append shows
   * at the boundary after the run's next append, as `RunStore.stepBoundary` allows.
   */
  async stepBoundary(sessionId: string, runId: string): Promise<StepBoundary> {
    const known = this.#known.boundary(sessionId, runId);
    if (known) return known;
    return this.#read(() => {
      const row = this.#statements.stepBoundary.get({ sessionId, runId }) as {
        seq: number | null;
        hash: string | null;
        cancel: number | null;
      };
      return {
        head: row.seq === null || row.hash === null ? undefined : { seq: row.seq, hash: row.hash },
        cancelRequested: row.cancel === 1,
      };
    });
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    return this.#hub.subscribe(sessionId, listener);
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    this.#transaction(() =>
      this.#statements.putBlob.run(hash, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    );
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.#read(() => this.#statements.getBlob.get(hash) as Buffer | undefined);
    return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async claimRun(owner: string, ttlMs: number, options: ClaimOptions = {}): Promise<Claim | undefined> {
    checkTtl(ttlMs);
    return this.#transaction(() => {
      const now = Date.now();
      const run = claimableRun(this.#statements, now, options);
      if (!run) return undefined;
      const lease = { owner, token: newSecret(), expiresAt: now + ttlMs };
      const at = new Date(now).toISOString();
      this.#statements.claim.run({
        owner,
        token: lease.token,
        expiresAt: lease.expiresAt,
        now: at,
        pos: run.pos,
      });
      const claimed: RunRecord = {
        ...runFromRow(run),
        status: 'running',
        lease,
        startedAt: run.started_at ?? at,
        updatedAt: at,
      };
      return { run: claimed, lease: { ...lease } };
    });
  }

  async renewLease(fence: Fence, ttlMs: number, options: { activeMs?: number } = {}): Promise<boolean> {
    checkTtl(ttlMs);
    const activeMs = options.activeMs === undefined ? null : Math.round(options.activeMs);
    return this.#transaction(
      () =>
        this.#statements.renewLease.run(Date.now() + ttlMs, activeMs, fence.runId, fence.token).changes === 1,
    );
  }

  async releaseLease(fence: Fence): Promise<void> {
    this.#transaction(() =>
      this.#statements.releaseLease.run(new Date().toISOString(), fence.runId, fence.token),
    );
  }

  async createTask(task: NewTask): Promise<{ task: TaskRecord; created: boolean }> {
    return this.#transaction(() => {
      const existing = this.#statements.taskByKey.get(task.idempotencyKey) as TaskRow | undefined;
      if (existing) return { task: taskFromRow(existing), created: false };
      const record = buildTaskRecord(task, new Date().toISOString());
      insertUnique(() => this.#statements.insertTask.run(taskParams(record)), `task ${task.id}`);
      return { task: record, created: true };
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.getTask.get(id) as TaskRow | undefined;
      return row && taskFromRow(row);
    });
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.taskByKey.get(key) as TaskRow | undefined;
      return row && taskFromRow(row);
    });
  }

  async findTaskByRunId(runId: string): Promise<TaskRecord | undefined> {
    return this.#read(() => {
      const row = this.#statements.taskByRun.get(runId) as TaskRow | undefined;
      return row && taskFromRow(row);
    });
  }

  async listTasks(options: ListTasksOptions): Promise<Page<TaskRecord>> {
    const query = new ListQuery()
      .equals('namespace', options.namespace)
      .equals('profile', options.profile)
      .atLeast('created_at', options.since)
      .oneOf('status', options.status)
      .before(options.cursor);
    return this.#read(() => this.#page('tasks', query, options.limit, taskFromRow));
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    const columns = taskPatchColumns(patch);
    const row = this.#transaction(
      () =>
        (Object.keys(columns).length === 0
          ? this.#statements.getTask.get(id)
          : this.#writes.update('tasks', id, columns, true)) as TaskRow | undefined,
    );
    if (!row) throw new NotFoundError('task', id);
    return taskFromRow(row);
  }

  async pruneTasks(keep: number): Promise<number> {
    return this.#transaction(() => this.#statements.pruneTasks.run(Math.max(0, Math.floor(keep))).changes);
  }

  async announceWorker(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    checkTtl(ttlMs);
    this.#transaction(() => {
      const now = Date.now();
      this.#statements.dropStaleWorkers.run(now);
      this.#statements.upsertWorker.run({
        id: worker.id,
        host: worker.host,
        pid: worker.pid,
        serves: JSON.stringify(servesOf(worker)),
        concurrency: worker.concurrency,
        runs_in_flight: worker.runsInFlight,
        started_at: worker.startedAt,
        last_heartbeat_at: new Date(now).toISOString(),
        expires_at: now + Math.ceil(ttlMs),
      });
    });
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return this.#read(() => (this.#statements.listWorkers.all(Date.now()) as WorkerRow[]).map(workerFromRow));
  }

  async removeWorker(id: string): Promise<void> {
    this.#transaction(() => this.#statements.removeWorker.run(id));
  }

  async putMark(scope: string, key: string): Promise<boolean> {
    return this.#transaction(
      () => this.#statements.putMark.run(scope, key, new Date().toISOString()).changes === 1,
    );
  }

  async deleteMark(scope: string, key: string): Promise<void> {
    this.#transaction(() => this.#statements.deleteMark.run(scope, key));
  }

  async listMarks(scope: string): Promise<string[]> {
    return this.#read(() => this.#statements.listMarks.all(scope) as string[]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.clear();
    this.#watcher.stop();
    // The thread's connection goes first: the last connection to close checkpoints the WAL
    // and removes it, and that should be this one.
    await this.#checkpointer?.close();
    this.#db.close();
  }

  /** What the background checkpoint thread has done (zeros without one); the bench reports it per run. */
  backgroundCheckpoints(): BackgroundCheckpoints {
    return this.#checkpointer?.state() ?? { completed: 0, ticks: 0 };
  }

  /** Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read. */
  #transaction<T>(work: () => T): T {
    return this.#read(() => this.#immediate(work) as T);
  }

  /** Runs `work`, turning the driver's corruption errors into `store_corrupt`. */
  #read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }

  #page<Row extends { pos: number }, T>(
    table: string,
    query: ListQuery,
    limit: number,
    fromRow: (row: Row) => T,
  ): Page<T> {
    const pageSize = checkLimit(limit);
    // One row more than asked tells whether an older page exists.
    const { sql, parameters } = query.newestFirst(table, pageSize + 1);
    const rows = this.#statements.dynamic(sql).all(...parameters) as Row[];
    return pageOf(rows, pageSize, (row) => row.pos, fromRow);
  }
}
