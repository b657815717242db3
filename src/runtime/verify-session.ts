import { NotFoundError } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import { verifyChain } from '../core/events.js';
import { isRunEnded } from '../store/records.js';
import type { RunRecord, RunStatus } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/** Events one verification read returns at most (pages are also bounded by bytes). */
const PAGE_EVENTS = 500;
const PAGE_BYTES = 4 * 1024 * 1024;
const RUNS_PAGE = 100;

/** What a run's last lifecycle event says its status is; `undefined`: it has not ended. */
const ENDED_BY: Readonly<Record<string, RunStatus | undefined>> = {
  'run.completed': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
  'run.started': undefined,
  'run.retried': undefined,
};

/** The verdict on one session's stored log. */
export type SessionLogVerdict =
  | { ok: true; count: number; head: string }
  | { ok: false; seq?: number; reason: string };

/**
 * Checks a session's log as stored: the hash chain from `seq` 0, that the log ends exactly at
 * the head the store keeps for the session, apart from its events (the session row on Postgres,
 * a head row beside the event keys on SQLite; moved in the same transaction as every append, so
 * deleting the newest events is caught), and that every run's status agrees with its last lifecycle
 * event. Reads the log page by page, so any size verifies in bounded memory.
 */
export async function verifySessionLog(store: Store, sessionId: string): Promise<SessionLogVerdict> {
  const session = await store.getSession(sessionId);
  if (!session) throw new NotFoundError('session', sessionId);
  const lastLifecycle = new Map<string, string>();
  let last: { seq: number; hash: string } | undefined;
  let count = 0;
  for (;;) {
    const page = await store.readEvents(sessionId, {
      from: (last?.seq ?? -1) + 1,
      limit: PAGE_EVENTS,
      maxBytes: PAGE_BYTES,
    });
    if (page.length === 0) break;
    const verdict = verifyChain(page, last);
    if (!verdict.ok) return verdict;
    for (const event of page) noteLifecycle(lastLifecycle, event);
    const tail = page.at(-1) as BatonEvent;
    last = { seq: tail.seq, hash: tail.hash };
    count += page.length;
  }
  if ((last?.seq ?? null) !== session.headSeq || (last?.hash ?? null) !== session.headHash) {
    return {
      ok: false,
      seq: (last?.seq ?? -1) + 1,
      reason: `the log ends at seq ${last?.seq ?? 'none'} but the session's head is seq ${session.headSeq ?? 'none'}: events were removed or added outside Baton`,
    };
  }
  const mismatch = await runStatusMismatch(store, sessionId, lastLifecycle);
  if (mismatch) return { ok: false, reason: mismatch };
  return { ok: true, count, head: last?.hash ?? '' };
}

function noteLifecycle(lastLifecycle: Map<string, string>, event: BatonEvent): void {
  if (event.type in ENDED_BY) lastLifecycle.set(event.runId, event.type);
}

/** The first run whose stored status disagrees with its last lifecycle event, described. */
async function runStatusMismatch(
  store: Store,
  sessionId: string,
  lastLifecycle: ReadonlyMap<string, string>,
): Promise<string | undefined> {
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      sessionId,
      limit: RUNS_PAGE,
      ...(cursor !== undefined && { cursor }),
    });
    for (const run of page.items) {
      const problem = statusProblem(run, lastLifecycle.get(run.id));
      if (problem) return problem;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return undefined;
}

function statusProblem(run: RunRecord, lifecycle: string | undefined): string | undefined {
  const ended = lifecycle === undefined ? undefined : ENDED_BY[lifecycle];
  if (ended !== undefined && run.status !== ended)
    return `run ${run.id} is ${run.status} but its last lifecycle event is ${lifecycle} (${ended})`;
  if (ended === undefined && isRunEnded(run.status))
    return `run ${run.id} is ${run.status} but its log has no terminal event after ${lifecycle ?? 'its creation'}`;
  return undefined;
}
