import Database from 'better-sqlite3';
import { ConflictError, LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { runExists, runStatusChanged } from '../append-conflict.js';
import { buildRunRecord, buildSessionRecord } from '../records.js';
import type { AppendOptions, Fence, NewRun, NewSessionStart, RunRecord, SessionPatch } from '../run-store.js';
import { sealDraftsWithJson } from '../seal-drafts.js';
import type { HeadColumns } from '../session-head.js';
import { headForAppend } from '../session-head.js';
import type { Head, KnownAfterAppend } from './known-boundaries.js';
import type { ColumnValues } from './patch-columns.js';
import { runPatchColumns, sessionPatchColumns, updateSql } from './patch-columns.js';
import type { RunRow } from './rows.js';
import { runFromRow, runParams, sessionParams } from './rows.js';
import type { SqliteStatements } from './statements.js';

/** The row of `appendChecks`. */
interface AppendChecks extends HeadColumns {
  found: number;
  lease_token: string | null;
  cancel: number | null;
}

/** Events an append wrote and the `pos` of the first, for the cross-process watcher. */
export interface AppendedEvents {
  events: BatonEvent[];
  firstPos: number;
}

/** What an append committed, and what it saw for the next step boundary. */
export interface Append extends AppendedEvents, KnownAfterAppend {}

/**
 * The writes of the SQLite store, each meant to run inside the caller's `BEGIN IMMEDIATE`
 * transaction: any throw rolls the whole transaction back, so a refused write leaves no trace.
 */
export class SqliteWrites {
  readonly #statements: SqliteStatements;

  constructor(statements: SqliteStatements) {
    this.#statements = statements;
  }

  /** The session row, its first events and its run (the caller checked the run's key is free). */
  startSession(start: NewSessionStart, now: string): { run: RunRecord; appended: Append } {
    const session = buildSessionRecord(start.session, now);
    insertUnique(() => this.#statements.insertSession.run(sessionParams(session)), `session ${session.id}`);
    const appended = this.#insertEvents(session.id, undefined, start.events, start.run.id, now);
    return {
      run: this.insertRun(start.run, now),
      appended: {
        events: appended.events,
        firstPos: appended.firstPos,
        head: headAfter(appended.events, undefined),
        cancelRequested: undefined,
      },
    };
  }

  /** The run with this idempotency key, if any. */
  runByKey(key: string | null): RunRecord | undefined {
    if (key === null) return undefined;
    const row = this.#statements.runByKey.get(key) as RunRow | undefined;
    return row && runFromRow(row);
  }

  /** Inserts a queued run and marks its session `running`. */
  insertRun(run: NewRun, now: string): RunRecord {
    const record = buildRunRecord(run, now);
    insertUnique(() => this.#statements.insertRun.run(runParams(record)), `run ${run.id}`);
    if (this.#statements.markSessionRunning.run({ id: run.sessionId, now }).changes === 0)
      throw new NotFoundError('session', run.sessionId);
    return record;
  }

  /**
   * Checks every condition of `options`, then writes the events, the patches and the new run;
   * says what it saw for the next step boundary.
   */
  append(sessionId: string, drafts: readonly EventDraft[], options: AppendOptions, now: string): Append {
    // The session's head, the run's lease token and its cancel flag in one read; checked in the
    // order they always were. A fence on another run (never the loop's) reads that run's token.
    const checks = this.#statements.appendChecks.get(sessionId, options.runId, sessionId) as AppendChecks;
    const { fence } = options;
    if (fence?.runId === options.runId) {
      if (checks.lease_token !== fence.token) throw new LeaseLostError(fence.runId);
    } else if (fence) this.checkFence(fence);
    if (options.requireRunStatus) {
      const row = this.#statements.getRun.get(options.runId) as RunRow | undefined;
      if (!row || !options.requireRunStatus.includes(row.status as RunRecord['status']))
        throw runStatusChanged(options.runId, row?.status);
    }
    if (checks.found !== 1) throw new NotFoundError('session', sessionId);
    const head = headForAppend(sessionId, checks, options.expectedHeadSeq);
    const appended = this.#insertEvents(sessionId, head, drafts, options.runId, now);
    if (options.runPatch) {
      const columns = { ...runPatchColumns(options.runPatch), updated_at: now };
      if (this.update('runs', options.runId, columns, false) === 0)
        throw new NotFoundError('run', options.runId);
    }
    if (options.sessionPatch) this.patchSession(sessionId, options.sessionPatch, now);
    const { createRun } = options;
    if (createRun) {
      if (this.runByKey(createRun.idempotencyKey)) throw runExists(createRun.idempotencyKey, createRun.id);
      this.insertRun(createRun, now);
    }
    // The flag was read before the run patch, which may have changed it.
    const cancelRequested = checks.cancel === null || options.runPatch ? undefined : checks.cancel === 1;
    const { events, firstPos } = appended;
    return { events, firstPos, head: headAfter(events, head), cancelRequested };
  }

  checkFence(fence: Fence): void {
    if (this.#statements.leaseToken.get(fence.runId) !== fence.token) throw new LeaseLostError(fence.runId);
  }

  patchSession(id: string, patch: SessionPatch, now: string): void {
    const columns = { ...sessionPatchColumns(patch), updated_at: now };
    if (this.update('sessions', id, columns, false) === 0) throw new NotFoundError('session', id);
  }

  /**
   * Sets `columns` on one row by id. With `returning`, gives the updated row (undefined when
   * there is none); without, the number of rows changed.
   */
  update(table: string, id: string, columns: ColumnValues, returning: true): unknown;
  update(table: string, id: string, columns: ColumnValues, returning: false): number;
  update(table: string, id: string, columns: ColumnValues, returning: boolean): unknown {
    const statement = this.#statements.dynamic(updateSql(table, columns, returning));
    const parameters = { ...columns, id };
    return returning ? statement.get(parameters) : statement.run(parameters).changes;
  }

  /**
   * Seals the drafts onto `head`, inserts them and their keys (one statement each per batch) and
   * moves the session's head.
   */
  #insertEvents(
    sessionId: string,
    head: Head | undefined,
    drafts: readonly EventDraft[],
    runId: string,
    now: string,
  ): AppendedEvents {
    const { events, dataJson } = sealDraftsWithJson(head, drafts, { sessionId, runId, ts: now });
    let firstPos = 0;
    for (let start = 0; start < events.length; start += MAX_ROWS_PER_INSERT) {
      const end = Math.min(events.length, start + MAX_ROWS_PER_INSERT);
      const values: unknown[] = [];
      for (let index = start; index < end; index += 1) {
        const event = events[index] as BatonEvent;
        values.push(sessionId, event.seq, event.runId, event.type, event.ts, dataJson[index], event.hash);
      }
      const { lastInsertRowid } = this.#statements.insertEvents(end - start).run(values);
      // One statement under the write lock: its rows got consecutive rowids (`pos`).
      const batchFirstPos = Number(lastInsertRowid) - (end - start - 1);
      if (firstPos === 0) firstPos = batchFirstPos;
      const keys: unknown[] = [];
      for (let index = start; index < end; index += 1) {
        keys.push(sessionId, (events[index] as BatonEvent).seq, batchFirstPos + index - start);
      }
      this.#statements.insertEventKeys(end - start).run(keys);
    }
    const last = events.at(-1);
    if (last) this.#statements.moveHead.run(sessionId, last.seq, last.hash);
    return { events, firstPos };
  }
}

/** Rows per multi-row INSERT (7 parameters each, well under SQLite's parameter limit). */
const MAX_ROWS_PER_INSERT = 16;

/** The head once `events` follow `previous` (a copy: the event and its data are not kept). */
function headAfter(events: readonly BatonEvent[], previous: Head | undefined): Head | undefined {
  const last = events.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : previous;
}

/** Runs an INSERT, turning a duplicate primary key into a `ConflictError`. */
export function insertUnique(insert: () => unknown, what: string): void {
  try {
    insert();
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT')) {
      throw new ConflictError(`${what} already exists`);
    }
    throw error;
  }
}
