import type { BatonEvent } from '../../core/events.js';
import type { AppendOptions } from '../run-store.js';
import type { Queryable } from './connection.js';
import { runAssignments, sessionAssignments } from './patch-sql.js';
import { prepared } from './query-helpers.js';
import { TOUCH_LAST_EVENT_AT } from './session-activity.js';

/**
 * Why an optimistic append wrote nothing, the first failed check in the locked path's order:
 * the run left `requireRunStatus` (with its status then), the fence's token is gone, the
 * patched run is missing, the session is missing, or its head is not the expected one (with the
 * head the statement's snapshot saw, which a concurrent append may already have moved on).
 */
export type AppendMiss =
  | { reason: 'run_status'; status: string | undefined }
  | { reason: 'lease_lost' | 'run_missing' | 'session_missing' }
  | { reason: 'head_moved'; seen: { seq: number; hash: string } | undefined };

/** What an optimistic append that wrote its events saw of the fenced run, under its row lock. */
export interface AppendHit {
  reason: 'appended';
  /** The fenced run's `cancelRequested`; undefined without a fence. */
  cancelRequested: boolean | undefined;
}

/**
 * The whole append as ONE statement (one round trip, its own transaction), given the head the
 * caller expects: lock the run row(s), check the fence (and `requireRunStatus`), then move the
 * session head only if it is still the expected one, and insert the events, the run patch and
 * the session patch only if the head moved. So `expectedHeadSeq` is this statement's own head
 * check (the caller passes that head); only `createRun` needs the locked path. Row locks are taken run first, then session, like the locked path.
 * A concurrent appender that got there first changes the head, so this one writes nothing and
 * the caller retries from the new head: the chain stays linear and `seq` gapless. The fenced
 * run's cancel flag comes back with the result, so a step boundary need not read the run.
 */
export async function tryAppend(
  db: Queryable,
  sessionId: string,
  events: readonly BatonEvent[],
  expected: { seq: number; hash: string } | undefined,
  options: AppendOptions,
  now: string,
): Promise<AppendHit | AppendMiss> {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new TypeError('tryAppend needs at least one event');
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const session = param(sessionId);
  const runId = param(options.runId);
  const { requireRunStatus } = options;
  const lockIds = [
    ...new Set([options.fence?.runId, options.runPatch || requireRunStatus ? options.runId : undefined]),
  ].filter((id): id is string => id !== undefined);
  const fenced = options.fence
    ? `EXISTS (SELECT 1 FROM run_lock WHERE id = ${param(options.fence.runId)} AND lease_token = ${param(options.fence.token)})`
    : 'true';
  const cancelRequested = options.fence
    ? `(SELECT cancel_requested FROM run_lock WHERE id = ${param(options.fence.runId)})`
    : 'NULL::boolean';
  const runFound = options.runPatch ? `EXISTS (SELECT 1 FROM run_lock WHERE id = ${runId})` : 'true';
  const runStatus = requireRunStatus ? `(SELECT status FROM run_lock WHERE id = ${runId})` : 'NULL::text';
  const statusAllowed = requireRunStatus
    ? `COALESCE(${runStatus} = ANY(${param(requireRunStatus)}::text[]), false)`
    : 'true';
  const sessionPatch = options.sessionPatch ? sessionAssignments(options.sessionPatch, now, 1) : undefined;
  const sessionClauses = [
    ...(sessionPatch ? renumber(sessionPatch.clauses, sessionPatch.values, param) : []),
    `head_seq = ${param(last.seq)}`,
    `head_hash = ${param(last.hash)}`,
    TOUCH_LAST_EVENT_AT,
  ];
  const runPatch = options.runPatch ? runAssignments(options.runPatch, now, 1) : undefined;
  const runPatchCte = runPatch
    ? `, run_patch AS (
         UPDATE runs SET ${renumber(runPatch.clauses, runPatch.values, param).join(', ')}
         WHERE id = ${runId} AND EXISTS (SELECT 1 FROM moved)
       )`
    : '';
  const sql = `
    WITH run_lock AS (
      SELECT id, lease_token, cancel_requested, status FROM runs WHERE id = ANY(${param(lockIds)}::text[]) ORDER BY id FOR UPDATE
    ), checks AS (
      SELECT ${fenced} AS fenced, ${runFound} AS run_found, ${statusAllowed} AS status_allowed
    ), moved AS (
      UPDATE sessions SET ${sessionClauses.join(', ')}
      WHERE id = ${session} AND head_seq IS NOT DISTINCT FROM ${param(expected?.seq ?? null)}::integer
        AND (SELECT fenced AND run_found AND status_allowed FROM checks)
      RETURNING id
    ), inserted AS (
      INSERT INTO events (session_id, seq, run_id, type, ts, data, hash)
      SELECT ${session}, seq, ${runId}, type, ${param(first.ts)}, data, hash
      FROM unnest(${param(events.map((event) => event.seq))}::integer[], ${param(events.map((event) => event.type))}::text[],
        ${param(events.map((event) => JSON.stringify(event.data)))}::json[], ${param(events.map((event) => event.hash))}::text[])
        AS e(seq, type, data, hash)
      WHERE EXISTS (SELECT 1 FROM moved)
    )${runPatchCte}
    SELECT checks.*, EXISTS (SELECT 1 FROM moved) AS appended, ${cancelRequested} AS cancel_requested,
      ${runStatus} AS run_status, seen.id IS NOT NULL AS session_found, seen.head_seq, seen.head_hash
    FROM checks LEFT JOIN sessions seen ON seen.id = ${session}`;
  const result = await db.query<AppendRow>(prepared(sql, values));
  const row = result.rows[0];
  if (!row) throw new TypeError('the append statement returned no row');
  if (row.appended) return { reason: 'appended', cancelRequested: row.cancel_requested ?? undefined };
  return missOf(row);
}

/** The append statement's one row; `seen` is the session row as of the statement's snapshot. */
interface AppendRow {
  fenced: boolean;
  run_found: boolean;
  status_allowed: boolean;
  appended: boolean;
  cancel_requested: boolean | null;
  run_status: string | null;
  session_found: boolean;
  head_seq: number | null;
  head_hash: string | null;
}

/** The first check that failed, in the order the locked path makes them. */
function missOf(row: AppendRow): AppendMiss {
  if (!row.status_allowed) return { reason: 'run_status', status: row.run_status ?? undefined };
  if (!row.fenced) return { reason: 'lease_lost' };
  if (!row.run_found) return { reason: 'run_missing' };
  if (!row.session_found) return { reason: 'session_missing' };
  const seen =
    row.head_seq !== null && row.head_hash !== null ? { seq: row.head_seq, hash: row.head_hash } : undefined;
  return { reason: 'head_moved', seen };
}

/** Moves `$1..$n` placeholders of a patch onto the statement's own parameter list. */
function renumber(clauses: string[], patchValues: unknown[], param: (value: unknown) => string): string[] {
  const names = patchValues.map((value) => param(value));
  return clauses.map((clause) =>
    clause.replace(/\$(\d+)$/, (_match, index: string) => names[Number(index) - 1] ?? ''),
  );
}
