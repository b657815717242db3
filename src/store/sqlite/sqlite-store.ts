import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, errorMessage, LeaseLostError, NotFoundError, UserError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { sha256Hex } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import { EventHub } from '../event-hub.js';
import { encodeCursor } from '../page-cursor.js';
import { buildRunRecord, buildSessionRecord, buildTaskRecord, isClaimable } from '../records.js';
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
import { EventWatcher } from './event-watcher.js';
import { ListQuery } from './list-query.js';
import { migrate } from './migrations.js';
import type { ColumnValues } from './patch-columns.js';
import { runPatchColumns, sessionPatchColumns, taskPatchColumns, updateSql } from './patch-columns.js';
import type { EventRow, RunRow, SessionRow, TaskRow } from './rows.js';
import {
  eventFromRow,
  runFromRow,
  runParams,
  sessionFromRow,
  sessionParams,
  taskFromRow,
  taskParams,
} from './rows.js';
import { SqliteStatements } from './statements.js';

/**
 * How hard each commit waits for the disk. In WAL mode `NORMAL` survives any process crash
 * (SIGKILL included) but may lose the last commits on power loss or an OS crash; `FULL`
 * fsyncs every commit and survives those too, at a higher cost per commit.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Default `NORMAL`. */
  synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often subscribers look for events committed by other processes; default 25 ms. */
  pollIntervalMs?: number;
}

/**
 * The embedded store: one SQLite file in WAL mode through `better-sqlite3`, usable by several
 * processes at once. Every write is one `BEGIN IMMEDIATE` transaction, so checks and writes
 * see the same state even across processes.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  /** The durability level this connection commits with. */
  readonly synchronous: SqliteSynchronous;
  readonly #db: Database.Database;
  readonly #statements: SqliteStatements;
  readonly #hub: EventHub;
  readonly #watcher: EventWatcher;
  readonly #immediate: Database.Transaction<(work: () => unknown) => unknown>;
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    const synchronous = options.synchronous ?? 'NORMAL';
    if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
      throw new UserError(
        'invalid_option',
        `synchronous must be 'NORMAL' or 'FULL', got ${String(synchronous)}`,
      );
    }
    this.synchronous = synchronous;
    this.#db = openDatabase(path, options.busyTimeoutMs ?? 5_000);
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${synchronous}`);
      migrate(this.#db);
      this.#statements = new SqliteStatements(this.#db);
      this.#immediate = this.#db.transaction((work: () => unknown) => work());
    } catch (error) {
      this.#db.close();
      if (error instanceof UserError) throw error;
      throw new UserError(
        'store_open_failed',
        `cannot use ${path} as a Baton database: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    this.#hub = new EventHub({
      onActiveChange: (active) => (active ? this.#watcher.start() : this.#watcher.stop()),
    });
    this.#watcher = new EventWatcher(this.#statements, this.#hub, options.pollIntervalMs ?? 25);
  }

  async createSession(session: NewSession): Promise<SessionRecord> {
    const record = buildSessionRecord(session, new Date().toISOString());
    insertUnique(() => this.#statements.insertSession.run(sessionParams(record)), `session ${session.id}`);
    return record;
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.#statements.getSession.get(id) as SessionRow | undefined;
    return row && sessionFromRow(row);
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    const row = this.#statements.sessionByTokenHash.get(tokenHash) as SessionRow | undefined;
    return row && sessionFromRow(row);
  }

  async listSessions(options: { limit: number; cursor?: string }): Promise<Page<SessionRecord>> {
    return this.#page('sessions', new ListQuery().before(options.cursor), options.limit, sessionFromRow);
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    this.#patchSession(id, patch, new Date().toISOString());
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    return this.#transaction(() => {
      const existing =
        run.idempotencyKey === null ? undefined : this.#statements.runByKey.get(run.idempotencyKey);
      if (existing) return { run: runFromRow(existing as RunRow), created: false };
      this.#requireSession(run.sessionId);
      const record = buildRunRecord(run, new Date().toISOString());
      insertUnique(() => this.#statements.insertRun.run(runParams(record)), `run ${run.id}`);
      return { run: record, created: true };
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.#statements.getRun.get(id) as RunRow | undefined;
    return row && runFromRow(row);
  }

  async findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined> {
    const row = this.#statements.runByKey.get(key) as RunRow | undefined;
    return row && runFromRow(row);
  }

  async listRuns(options: {
    sessionId?: string;
    status?: RunStatus[];
    limit: number;
    cursor?: string;
  }): Promise<Page<RunRecord>> {
    const query = new ListQuery()
      .equals('session_id', options.sessionId)
      .oneOf('status', options.status)
      .before(options.cursor);
    return this.#page('runs', query, options.limit, runFromRow);
  }

  async updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord> {
    return this.#transaction(() => {
      if (fence) this.#checkFence(fence);
      const columns = { ...runPatchColumns(patch), updated_at: new Date().toISOString() };
      const row = this.#update('runs', id, columns, true) as RunRow | undefined;
      if (!row) throw new NotFoundError('run', id);
      return runFromRow(row);
    });
  }

  async append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    const { events, firstPos } = this.#transaction(() =>
      this.#appendInTransaction(sessionId, drafts, options),
    );
    this.#watcher.committed(events, firstPos);
    return events;
  }

  async readEvents(
    sessionId: string,
    options: { from?: number; limit?: number; types?: string[] } = {},
  ): Promise<BatonEvent[]> {
    const parameters: unknown[] = [sessionId, options.from ?? 0];
    let sql = 'SELECT * FROM events WHERE session_id = ? AND seq >= ?';
    if (options.types !== undefined) {
      sql +=
        options.types.length === 0 ? ' AND 0' : ` AND type IN (${options.types.map(() => '?').join(', ')})`;
      parameters.push(...options.types);
    }
    sql += ' ORDER BY seq';
    if (options.limit !== undefined) {
      sql += ' LIMIT ?';
      parameters.push(checkLimit(options.limit));
    }
    const rows = this.#statements.dynamic(sql).all(...parameters) as EventRow[];
    return rows.map(eventFromRow);
  }

  async head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    return this.#statements.head.get(sessionId) as { seq: number; hash: string } | undefined;
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    return this.#hub.subscribe(sessionId, listener);
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    this.#statements.putBlob.run(hash, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.#statements.getBlob.get(hash) as Buffer | undefined;
    return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async claimRun(owner: string, ttlMs: number, options: { runId?: string } = {}): Promise<Claim | undefined> {
    checkTtl(ttlMs);
    return this.#transaction(() => {
      const now = Date.now();
      const run =
        options.runId === undefined ? this.#oldestClaimable(now) : this.#claimableById(options.runId, now);
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

  async renewLease(fence: Fence, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return this.#statements.renewLease.run(Date.now() + ttlMs, fence.runId, fence.token).changes === 1;
  }

  async releaseLease(fence: Fence): Promise<void> {
    this.#statements.releaseLease.run(new Date().toISOString(), fence.runId, fence.token);
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
    const row = this.#statements.getTask.get(id) as TaskRow | undefined;
    return row && taskFromRow(row);
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined> {
    const row = this.#statements.taskByKey.get(key) as TaskRow | undefined;
    return row && taskFromRow(row);
  }

  async findTaskByRunId(runId: string): Promise<TaskRecord | undefined> {
    const row = this.#statements.taskByRun.get(runId) as TaskRow | undefined;
    return row && taskFromRow(row);
  }

  async listTasks(options: {
    namespace?: string;
    profile?: string;
    since?: string;
    status?: TaskRecord['status'][];
    limit: number;
  }): Promise<TaskRecord[]> {
    const query = new ListQuery()
      .equals('namespace', options.namespace)
      .equals('profile', options.profile)
      .atLeast('created_at', options.since)
      .oneOf('status', options.status);
    const { sql, parameters } = query.newestFirst('tasks', checkLimit(options.limit));
    return (this.#statements.dynamic(sql).all(...parameters) as TaskRow[]).map(taskFromRow);
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    const columns = taskPatchColumns(patch);
    const row = (
      Object.keys(columns).length === 0
        ? this.#statements.getTask.get(id)
        : this.#update('tasks', id, columns, true)
    ) as TaskRow | undefined;
    if (!row) throw new NotFoundError('task', id);
    return taskFromRow(row);
  }

  async pruneTasks(keep: number): Promise<number> {
    return this.#statements.pruneTasks.run(Math.max(0, Math.floor(keep))).changes;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.clear();
    this.#watcher.stop();
    this.#db.close();
  }

  /** Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read. */
  #transaction<T>(work: () => T): T {
    return this.#immediate.immediate(work) as T;
  }

  #appendInTransaction(
    sessionId: string,
    drafts: readonly EventDraft[],
    options: AppendOptions,
  ): { events: BatonEvent[]; firstPos: number } {
    // Any throw below rolls the whole transaction back, so a rejected append leaves no trace.
    if (options.fence) this.#checkFence(options.fence);
    const head = this.#statements.head.get(sessionId) as { seq: number; hash: string } | undefined;
    // A session with events exists; only an empty log needs the extra lookup.
    if (!head && !options.sessionPatch) this.#requireSession(sessionId);
    const now = new Date().toISOString();
    const events = sealDrafts(head, drafts, { sessionId, runId: options.runId, ts: now });
    let firstPos = 0;
    for (const event of events) {
      const { lastInsertRowid } = this.#statements.insertEvent.run(
        sessionId,
        event.seq,
        event.runId,
        event.type,
        event.ts,
        JSON.stringify(event.data),
        event.hash,
      );
      if (firstPos === 0) firstPos = Number(lastInsertRowid);
    }
    if (options.runPatch) {
      const columns = { ...runPatchColumns(options.runPatch), updated_at: now };
      if (this.#update('runs', options.runId, columns, false) === 0)
        throw new NotFoundError('run', options.runId);
    }
    if (options.sessionPatch) this.#patchSession(sessionId, options.sessionPatch, now);
    return { events, firstPos };
  }

  #checkFence(fence: Fence): void {
    if (this.#statements.leaseToken.get(fence.runId) !== fence.token) throw new LeaseLostError(fence.runId);
  }

  #patchSession(id: string, patch: SessionPatch, now: string): void {
    const columns = { ...sessionPatchColumns(patch), updated_at: now };
    if (this.#update('sessions', id, columns, false) === 0) throw new NotFoundError('session', id);
  }

  /**
   * Sets `columns` on one row by id. With `returning`, gives the updated row (undefined when
   * there is none); without, the number of rows changed.
   */
  #update(table: string, id: string, columns: ColumnValues, returning: true): unknown;
  #update(table: string, id: string, columns: ColumnValues, returning: false): number;
  #update(table: string, id: string, columns: ColumnValues, returning: boolean): unknown {
    const statement = this.#statements.dynamic(updateSql(table, columns, returning));
    const parameters = { ...columns, id };
    return returning ? statement.get(parameters) : statement.run(parameters).changes;
  }

  #requireSession(id: string): void {
    if (this.#statements.sessionExists.get(id) === undefined) throw new NotFoundError('session', id);
  }

  #oldestClaimable(now: number): RunRow | undefined {
    const queued = this.#statements.oldestQueued.get() as RunRow | undefined;
    const expired = this.#statements.oldestExpired.get(now) as RunRow | undefined;
    if (!queued || !expired) return queued ?? expired;
    return queued.pos < expired.pos ? queued : expired;
  }

  #claimableById(id: string, now: number): RunRow | undefined {
    const row = this.#statements.getRun.get(id) as RunRow | undefined;
    return row && isClaimable(runFromRow(row), now) ? row : undefined;
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
    const items = rows.slice(0, pageSize);
    const page: Page<T> = { items: items.map(fromRow) };
    const last = items.at(-1);
    if (rows.length > pageSize && last) page.nextCursor = encodeCursor(last.pos);
    return page;
  }
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new UserError('store_open_failed', `cannot open the database ${path}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** Runs an INSERT, turning a duplicate primary key into a `ConflictError`. */
function insertUnique(insert: () => unknown, what: string): void {
  try {
    insert();
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT')) {
      throw new ConflictError(`${what} already exists`);
    }
    throw error;
  }
}
