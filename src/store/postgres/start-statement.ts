import { ConflictError } from '../../core/errors.js';
import type { BatonEvent } from '../../core/events.js';
import { buildRunRecord, buildSessionRecord } from '../records.js';
import type { NewSessionStart, RunRecord } from '../run-store.js';
import { sealDrafts } from '../seal-drafts.js';
import type { Queryable } from './connection.js';
import { isUniqueViolation, prepared } from './query-helpers.js';
import { jsonParam } from './rows.js';

/**
 * A session start without an idempotency key as ONE statement (one round trip, atomic on its
 * own, so no BEGIN/COMMIT): the session row already `running` with its head at the last event,
 * its queued run and its events, exactly the rows the transactional start writes. The foreign
 * keys on the session are checked at the end of the statement, when its row is there. With a
 * key the start stays a transaction: a key taken by a concurrent start must roll the session
 * back, which one statement cannot do.
 */
export async function startSessionAtOnce(
  db: Queryable,
  start: NewSessionStart,
): Promise<{ run: RunRecord; events: BatonEvent[] }> {
  const session = buildSessionRecord(start.session, new Date().toISOString());
  const run = buildRunRecord(start.run, new Date().toISOString());
  const now = new Date().toISOString();
  const events = sealDrafts(undefined, start.events, { sessionId: session.id, runId: run.id, ts: now });
  const last = events.at(-1);
  const values = [
    session.id,
    session.agent,
    jsonParam(session.context),
    jsonParam(session.auth),
    session.tokenHash,
    session.parentSessionId,
    session.parentToolCallId,
    session.createdAt,
    // The transactional start marks the session running at the run's creation time.
    run.createdAt,
    last?.seq ?? null,
    last?.hash ?? null,
    run.id,
    run.agent,
    run.status,
    run.attempt,
    run.kind,
    jsonParam(run.input),
    run.agentModule,
    run.traceparent,
    run.pool,
    jsonParam(run.usage),
    now,
    events.map((event) => event.seq),
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event.data)),
    events.map((event) => event.hash),
  ];
  try {
    await db.query(
      prepared(
        `WITH new_session AS (
           INSERT INTO sessions (id, agent, status, context, auth, token_hash, parent_session_id,
             parent_tool_call_id, created_at, updated_at, head_seq, head_hash, last_event_at)
           VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11,
             CASE WHEN $10::integer IS NULL THEN NULL ELSE clock_timestamp() END)
         ), new_run AS (
           INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, agent_module, traceparent,
             pool, definition_hash, idempotency_key, usage, result, error, cancel_requested, created_at, updated_at)
           VALUES ($12, $1, $13, $14, $15, $16, $17, $18, $19, $20, NULL, NULL, $21, 'null', 'null', false, $9, $9)
         )
         INSERT INTO events (session_id, seq, run_id, type, ts, data, hash)
         SELECT $1, seq, $12, type, $22, data, hash
         FROM unnest($23::integer[], $24::text[], $25::json[], $26::text[]) AS e(seq, type, data, hash)`,
        values,
      ),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      const constraint = (error as { constraint?: unknown }).constraint;
      throw new ConflictError(
        typeof constraint === 'string' && constraint.startsWith('runs')
          ? `run ${run.id} already exists`
          : `session ${session.id} already exists`,
      );
    }
    throw error;
  }
  return { run, events };
}
