import { LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { runExists, runStatusChanged } from '../append-conflict.js';
import type { AppendOptions, ReadEventsOptions, StepBoundary } from '../run-store.js';
import { sealDrafts } from '../seal-drafts.js';
import type { HeadColumns } from '../session-head.js';
import { headForAppend } from '../session-head.js';
import { checkLimit } from '../validate.js';
import type { Queryable } from './connection.js';
import { runAssignments, sessionAssignments } from './patch-sql.js';
import { prepared } from './query-helpers.js';
import { type EventRow, toEvent } from './rows.js';
import { insertRun, lockFencedRun } from './run-queries.js';
import { lastEventAtOrAfter, TOUCH_LAST_EVENT_AT } from './session-activity.js';

/**
 * Appends inside the caller's transaction. Locks are always taken run first, then session, so
 * two appenders can never deadlock: (1) the run row is locked by the status check, the fence
 * check or the run patch, which also checks the fence; (2) the session row is locked and its
 * head read (and compared with `expectedHeadSeq`), which serialises every appender of the
 * session, so `seq` stays gapless and the chain linear; (3) the events are inserted, the head
 * moved and the session patched in one statement; (4) `createRun` inserts the next run. A
 * failed condition throws, and the caller's transaction rolls everything back. The NOTIFY is
 * sent after commit, by the store's `AppendNotifier`.
 */
export async function appendEvents(
  db: Queryable,
  sessionId: string,
  drafts: readonly EventDraft[],
  options: AppendOptions,
): Promise<BatonEvent[]> {
  const now = new Date().toISOString();
  if (options.requireRunStatus) {
    const run = await db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1 FOR UPDATE', [
      options.runId,
    ]);
    const status = run.rows[0]?.status;
    if (status === undefined || !options.requireRunStatus.some((allowed) => allowed === status))
      throw runStatusChanged(options.runId, status);
  }
  if (options.runPatch) await patchFencedRun(db, options.runId, options.runPatch, now, options.fence);
  else if (options.fence) await lockFencedRun(db, options.fence);
  const session = await db.query<HeadColumns>(
    'SELECT head_seq, head_hash FROM sessions WHERE id = $1 FOR UPDATE',
    [sessionId],
  );
  const headRow = session.rows[0];
  if (!headRow) throw new NotFoundError('session', sessionId);
  const head = headForAppend(sessionId, headRow, options.expectedHeadSeq);
  const events = sealDrafts(head, drafts, { sessionId, runId: options.runId, ts: now });
  await commitEvents(db, sessionId, events, options.sessionPatch, now);
  const { createRun } = options;
  if (createRun && !(await insertRun(db, createRun))) throw runExists(createRun.idempotencyKey, createRun.id);
  return events;
}

/** The run patch as the run-row lock; with a fence on the same run, checked by the same UPDATE. */
async function patchFencedRun(
  db: Queryable,
  runId: string,
  patch: NonNullable<AppendOptions['runPatch']>,
  now: string,
  fence: AppendOptions['fence'],
): Promise<void> {
  // A fence on another run is locked first, keeping the run-then-session order.
  if (fence && fence.runId !== runId) await lockFencedRun(db, fence);
  const token = fence?.runId === runId ? fence.token : null;
  const { clauses, values } = runAssignments(patch, now, 3);
  const result = await db.query(
    `UPDATE runs SET ${clauses.join(', ')} WHERE id = $1 AND ($2::text IS NULL OR lease_token = $2)`,
    [runId, token, ...values],
  );
  if (result.rowCount !== 0) return;
  if (token !== null) throw new LeaseLostError(runId);
  throw new NotFoundError('run', runId);
}

/** Inserts the sealed events, moves the head and patches the session. */
export async function commitEvents(
  db: Queryable,
  sessionId: string,
  events: readonly BatonEvent[],
  patch: AppendOptions['sessionPatch'],
  now: string,
): Promise<void> {
  const first = events[0];
  const last = events.at(-1);
  const assignments = patch ? sessionAssignments(patch, now, 2) : { clauses: [], values: [] };
  if (!first || !last) {
    if (assignments.clauses.length === 0) return;
    await db.query(`UPDATE sessions SET ${assignments.clauses.join(', ')} WHERE id = $1`, [
      sessionId,
      ...assignments.values,
    ]);
    return;
  }
  const values: unknown[] = [sessionId, ...assignments.values];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const clauses = [
    ...assignments.clauses,
    `head_seq = ${param(last.seq)}`,
    `head_hash = ${param(last.hash)}`,
    TOUCH_LAST_EVENT_AT,
  ];
  const columns = [
    `${param(events.map((event) => event.seq))}::integer[]`,
    `${param(events.map((event) => event.type))}::text[]`,
    `${param(events.map((event) => JSON.stringify(event.data)))}::json[]`,
    `${param(events.map((event) => event.hash))}::text[]`,
  ];
  await db.query(
    `WITH inserted AS (
       INSERT INTO events (session_id, seq, run_id, type, ts, data, hash)
       SELECT $1, seq, ${param(first.runId)}, type, ${param(first.ts)}, data, hash
       FROM unnest(${columns.join(', ')}) AS e(seq, type, data, hash)
     )
     UPDATE sessions SET ${clauses.join(', ')} WHERE id = $1`,
    values,
  );
}

const EVENT_PAGE = `SELECT session_id, seq, run_id, type, ts, data, hash FROM events
  WHERE session_id = $1 AND seq >= $2 AND ($3::text[] IS NULL OR type = ANY($3))
  ORDER BY seq LIMIT $4`;

/**
 * Events with `seq >= from`, ascending, at most `limit`, optionally of some types; with
 * `maxBytes`, cut before the event that would take the page's data past it (see the port).
 */
export async function readEvents(
  db: Queryable,
  sessionId: string,
  options: ReadEventsOptions = {},
): Promise<BatonEvent[]> {
  const limit = options.limit === undefined ? null : checkLimit(options.limit);
  const values = [sessionId, options.from ?? 0, options.types ?? null, limit];
  if (options.maxBytes === undefined) {
    const result = await db.query<EventRow>(prepared(EVENT_PAGE, values));
    return result.rows.map(toEvent);
  }
  // The running size is summed inside the database over the page the inner query chose, so
  // events past the budget are never sent; the first event always passes.
  const result = await db.query<EventRow>(
    prepared(
      `SELECT session_id, seq, run_id, type, ts, data, hash FROM (
         SELECT page.*, sum(octet_length(page.data::text)) OVER (ORDER BY page.seq) AS upto,
           row_number() OVER (ORDER BY page.seq) AS position
         FROM (${EVENT_PAGE}) AS page
       ) AS sized WHERE position = 1 OR upto <= $5 ORDER BY seq`,
      [...values, checkLimit(options.maxBytes)],
    ),
  );
  return result.rows.map(toEvent);
}

/** The session's last seq and hash, from its row; undefined for an empty log or no session. */
export async function readHead(
  db: Queryable,
  sessionId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  const result = await db.query<{ head_seq: number | null; head_hash: string | null }>(
    prepared('SELECT head_seq, head_hash FROM sessions WHERE id = $1', [sessionId]),
  );
  const row = result.rows[0];
  return row && row.head_seq !== null && row.head_hash !== null
    ? { seq: row.head_seq, hash: row.head_hash }
    : undefined;
}

/** The session's head and the run's cancel flag, in one statement (see `RunStore.stepBoundary`). */
export async function readStepBoundary(
  db: Queryable,
  sessionId: string,
  runId: string,
): Promise<StepBoundary> {
  const result = await db.query<{
    head_seq: number | null;
    head_hash: string | null;
    cancel_requested: boolean | null;
  }>(
    prepared(
      `SELECT s.head_seq, s.head_hash, (SELECT cancel_requested FROM runs WHERE id = $2) AS cancel_requested
       FROM (SELECT 1) AS one LEFT JOIN sessions s ON s.id = $1`,
      [sessionId, runId],
    ),
  );
  const row = result.rows[0];
  return {
    head:
      row && row.head_seq !== null && row.head_hash !== null
        ? { seq: row.head_seq, hash: row.head_hash }
        : undefined,
    cancelRequested: row?.cancel_requested === true,
  };
}

/**
 * Events of a session with `seq >= fromSeq` or stamped at or after `ts` (ISO 8601), ascending:
 * what a subscriber that has had nothing yet must get (see `EventFeed`).
 */
export async function readFresh(
  db: Queryable,
  sessionId: string,
  fromSeq: number | null,
  ts: string,
): Promise<BatonEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT session_id, seq, run_id, type, ts, data, hash FROM events
     WHERE session_id = $1 AND seq >= (
       -- LEAST skips NULLs: no seq given, or no event that recent, leaves the other bound.
       SELECT LEAST($2::integer, min(seq)) FROM events WHERE session_id = $1 AND ts >= $3
     )
     ORDER BY seq`,
    [sessionId, fromSeq, ts],
  );
  return result.rows.map(toEvent);
}

/**
 * Ids of the sessions that got events at or after `since` (epoch ms, database clock), and
 * possibly some whose last events came up to a second before it (see `session-activity.ts`).
 */
export async function sessionsWithEventsSince(db: Queryable, since: number): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM sessions WHERE ${lastEventAtOrAfter('$1')} ORDER BY last_event_at`,
    [since],
  );
  return result.rows.map((row) => row.id);
}
