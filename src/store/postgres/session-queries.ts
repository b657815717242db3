import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent } from '../../core/events.js';
import type { Page } from '../page.js';
import { decodeCursor } from '../page-cursor.js';
import { buildSessionRecord } from '../records.js';
import type { NewSession, NewSessionStart, RunRecord, SessionPatch, SessionRecord } from '../run-store.js';
import { sealDrafts } from '../seal-drafts.js';
import { checkLimit } from '../validate.js';
import type { Queryable } from './connection.js';
import { commitEvents } from './event-queries.js';
import { sessionAssignments } from './patch-sql.js';
import { isUniqueViolation, pageOfRows, prepared } from './query-helpers.js';
import { jsonParam, type SessionRow, toSession } from './rows.js';
import { findRunByIdempotencyKey, insertRun } from './run-queries.js';

const SESSION_COLUMNS =
  'id, agent, status, context, auth, token_hash, head_seq, head_hash, checkpoint, parent_session_id, ' +
  'parent_tool_call_id, created_at, updated_at';

/** Inserts an idle session; `ConflictError` when the id is taken. */
export async function createSession(db: Queryable, session: NewSession): Promise<SessionRecord> {
  const record = buildSessionRecord(session, new Date().toISOString());
  try {
    await db.query(
      `INSERT INTO sessions (id, agent, status, context, auth, token_hash, parent_session_id,
         parent_tool_call_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        record.id,
        record.agent,
        record.status,
        jsonParam(record.context),
        jsonParam(record.auth),
        record.tokenHash,
        record.parentSessionId,
        record.parentToolCallId,
        record.createdAt,
        record.updatedAt,
      ],
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`session ${session.id} already exists`);
    throw error;
  }
  return record;
}

/** What {@link startSession} did: created the session (with its events) or found the key's run. */
export type SessionStartResult =
  | { created: true; run: RunRecord; events: BatonEvent[] }
  | { created: false; run: RunRecord };

/**
 * Inside the caller's transaction: the session, its run, then its events. `undefined` when
 * the run's idempotency key turned out to be taken: the caller rolls back (so no session is
 * left behind) and reads the key's run once the other start has committed.
 */
export async function startSession(
  db: Queryable,
  start: NewSessionStart,
): Promise<SessionStartResult | undefined> {
  const existing =
    start.run.idempotencyKey === null
      ? undefined
      : await findRunByIdempotencyKey(db, start.run.idempotencyKey);
  if (existing) return { created: false, run: existing };
  await createSession(db, start.session);
  const run = await insertRun(db, start.run);
  if (!run) return undefined;
  const now = new Date().toISOString();
  const events = sealDrafts(undefined, start.events, {
    sessionId: start.session.id,
    runId: start.run.id,
    ts: now,
  });
  await commitEvents(db, start.session.id, events, undefined, now);
  return { created: true, run, events };
}

/** The session with this id, if any. */
export async function getSession(db: Queryable, id: string): Promise<SessionRecord | undefined> {
  const result = await db.query<SessionRow>(
    prepared(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]),
  );
  const row = result.rows[0];
  return row && toSession(row);
}

/** The session whose continuation-token hash this is, if any. */
export async function findSessionByTokenHash(
  db: Queryable,
  tokenHash: string,
): Promise<SessionRecord | undefined> {
  const result = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE token_hash = $1 ORDER BY pos LIMIT 1`,
    [tokenHash],
  );
  const row = result.rows[0];
  return row && toSession(row);
}

/** Newest first, by insertion position; the cursor is the last item's position. */
export async function listSessions(
  db: Queryable,
  options: { limit: number; cursor?: string },
): Promise<Page<SessionRecord>> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? null : decodeCursor(options.cursor);
  const result = await db.query<SessionRow & { pos: string }>(
    `SELECT pos, ${SESSION_COLUMNS} FROM sessions WHERE ($1::bigint IS NULL OR pos < $1)
     ORDER BY pos DESC LIMIT $2`,
    [before, limit + 1],
  );
  return pageOfRows(result.rows, limit, toSession);
}

/** Applies a session patch; `NotFoundError` when there is no such session. */
export async function updateSession(
  db: Queryable,
  id: string,
  patch: SessionPatch,
  now: string,
): Promise<void> {
  const { clauses, values } = sessionAssignments(patch, now, 2);
  const result = await db.query(`UPDATE sessions SET ${clauses.join(', ')} WHERE id = $1`, [id, ...values]);
  if (result.rowCount === 0) throw new NotFoundError('session', id);
}
