import { NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { checkLimit } from '../page-cursor.js';
import { sealDrafts } from '../seal-drafts.js';
import type { AppendOptions } from '../store.js';
import type { Queryable } from './connection.js';
import { runAssignments, sessionAssignments } from './patch-sql.js';
import { type EventRow, toEvent } from './rows.js';
import { lockFencedRun } from './run-queries.js';

/** What a committed append tells listeners: small enough for any NOTIFY payload. */
export interface AppendNotice {
  sessionId: string;
  fromSeq: number;
  toSeq: number;
}

/** `<sessionId> <fromSeq> <toSeq>`; session ids never contain spaces. */
export function encodeNotice(notice: AppendNotice): string {
  return `${notice.sessionId} ${notice.fromSeq} ${notice.toSeq}`;
}

/** The notice in a NOTIFY payload, or undefined for a payload that is not one. */
export function decodeNotice(payload: string | undefined): AppendNotice | undefined {
  const [sessionId, from, to] = (payload ?? '').split(' ');
  const fromSeq = Number(from);
  const toSeq = Number(to);
  if (!sessionId || !Number.isInteger(fromSeq) || !Number.isInteger(toSeq)) return undefined;
  return { sessionId, fromSeq, toSeq };
}

/**
 * Appends inside the caller's transaction. Locks are always taken run first, then session, so
 * two appenders can never deadlock; the session row lock serialises every appender of the
 * session, which keeps `seq` gapless and the chain linear. The head lives on the session row,
 * read under that lock. `pg_notify` is queued in the transaction and delivered on commit.
 */
export async function appendEvents(
  db: Queryable,
  sessionId: string,
  drafts: readonly EventDraft[],
  options: AppendOptions,
  channel: string,
): Promise<BatonEvent[]> {
  if (options.fence) await lockFencedRun(db, options.fence);
  const session = await db.query<{ head_seq: number | null; head_hash: string | null }>(
    'SELECT head_seq, head_hash FROM sessions WHERE id = $1 FOR UPDATE',
    [sessionId],
  );
  const headRow = session.rows[0];
  if (!headRow) throw new NotFoundError('session', sessionId);
  const now = new Date().toISOString();
  if (options.runPatch) await patchRun(db, options.runId, options.runPatch, now);
  const head =
    headRow.head_seq === null || headRow.head_hash === null
      ? undefined
      : { seq: headRow.head_seq, hash: headRow.head_hash };
  const events = sealDrafts(head, drafts, { sessionId, runId: options.runId, ts: now });
  const last = events.at(-1);
  if (!last) {
    if (options.sessionPatch) await patchSession(db, sessionId, options.sessionPatch, now, undefined);
    return events;
  }
  await db.query(
    `INSERT INTO events (session_id, seq, run_id, type, ts, data, hash)
     SELECT $1, seq, $2, type, $3, data, hash
     FROM unnest($4::integer[], $5::text[], $6::json[], $7::text[]) AS e(seq, type, data, hash)`,
    [
      sessionId,
      options.runId,
      now,
      events.map((event) => event.seq),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => event.hash),
    ],
  );
  await patchSession(db, sessionId, options.sessionPatch, now, last);
  const first = events[0] ?? last;
  await db.query('SELECT pg_notify($1, $2)', [
    channel,
    encodeNotice({ sessionId, fromSeq: first.seq, toSeq: last.seq }),
  ]);
  return events;
}

async function patchRun(
  db: Queryable,
  runId: string,
  patch: NonNullable<AppendOptions['runPatch']>,
  now: string,
) {
  const { clauses, values } = runAssignments(patch, now, 2);
  const result = await db.query(`UPDATE runs SET ${clauses.join(', ')} WHERE id = $1`, [runId, ...values]);
  if (result.rowCount === 0) throw new NotFoundError('run', runId);
}

/** Moves the session's head (when events were added) and applies its patch in one statement. */
async function patchSession(
  db: Queryable,
  sessionId: string,
  patch: AppendOptions['sessionPatch'],
  now: string,
  last: BatonEvent | undefined,
): Promise<void> {
  const clauses: string[] = [];
  const values: unknown[] = [sessionId];
  if (last) {
    values.push(last.seq, last.hash);
    clauses.push('head_seq = $2', 'head_hash = $3', 'last_event_at = clock_timestamp()');
  }
  if (patch) {
    const assignments = sessionAssignments(patch, now, values.length + 1);
    clauses.push(...assignments.clauses);
    values.push(...assignments.values);
  }
  if (clauses.length === 0) return;
  await db.query(`UPDATE sessions SET ${clauses.join(', ')} WHERE id = $1`, values);
}

/** Events with `seq >= from`, ascending, at most `limit`, optionally of some types. */
export async function readEvents(
  db: Queryable,
  sessionId: string,
  options: { from?: number; limit?: number; types?: string[] } = {},
): Promise<BatonEvent[]> {
  const limit = options.limit === undefined ? null : checkLimit(options.limit);
  const result = await db.query<EventRow>(
    `SELECT session_id, seq, run_id, type, ts, data, hash FROM events
     WHERE session_id = $1 AND seq >= $2 AND ($3::text[] IS NULL OR type = ANY($3))
     ORDER BY seq LIMIT $4`,
    [sessionId, options.from ?? 0, options.types ?? null, limit],
  );
  return result.rows.map(toEvent);
}

export async function readHead(
  db: Queryable,
  sessionId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  const result = await db.query<{ head_seq: number | null; head_hash: string | null }>(
    'SELECT head_seq, head_hash FROM sessions WHERE id = $1',
    [sessionId],
  );
  const row = result.rows[0];
  return row && row.head_seq !== null && row.head_hash !== null
    ? { seq: row.head_seq, hash: row.head_hash }
    : undefined;
}

/** Events of a session stamped at or after `ts` (ISO 8601), ascending. */
export async function readEventsSince(db: Queryable, sessionId: string, ts: string): Promise<BatonEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT session_id, seq, run_id, type, ts, data, hash FROM events
     WHERE session_id = $1 AND ts >= $2 ORDER BY seq`,
    [sessionId, ts],
  );
  return result.rows.map(toEvent);
}

/** Ids of the sessions that got events at or after `since` (epoch ms, database clock). */
export async function sessionsWithEventsSince(db: Queryable, since: number): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    'SELECT id FROM sessions WHERE last_event_at >= to_timestamp($1 / 1000.0) ORDER BY last_event_at',
    [since],
  );
  return result.rows.map((row) => row.id);
}
