import { checkTtl } from '../validate.js';
import type { WorkerAnnouncement, WorkerRecord } from '../worker-registry.js';
import { servesOf } from '../worker-registry.js';
import type { Queryable } from './connection.js';
import { DB_NOW_MS } from './lease-queries.js';
import { jsonParam, toWorker, type WorkerRow } from './rows.js';

const WORKER_COLUMNS =
  'id, host, pid, serves, concurrency, runs_in_flight, started_at, last_heartbeat_at, expires_at';

/**
 * Creates or refreshes a worker's entry; expiry is on the database clock, as leases are, so
 * machines with skewed clocks agree on which workers are live. Stale entries are dropped.
 */
export async function announceWorker(
  db: Queryable,
  worker: WorkerAnnouncement,
  ttlMs: number,
): Promise<void> {
  await db.query(
    `WITH stale AS (DELETE FROM workers WHERE expires_at <= ${DB_NOW_MS} AND id <> $1)
     INSERT INTO workers (${WORKER_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       ${DB_NOW_MS} + $8)
     ON CONFLICT (id) DO UPDATE SET serves = excluded.serves, runs_in_flight = excluded.runs_in_flight,
       last_heartbeat_at = excluded.last_heartbeat_at, expires_at = excluded.expires_at`,
    [
      worker.id,
      worker.host,
      worker.pid,
      jsonParam(servesOf(worker)),
      worker.concurrency,
      worker.runsInFlight,
      worker.startedAt,
      Math.ceil(checkTtl(ttlMs)),
    ],
  );
}

/** The live workers, oldest first. */
export async function listWorkers(db: Queryable): Promise<WorkerRecord[]> {
  const result = await db.query<WorkerRow>(
    `SELECT ${WORKER_COLUMNS} FROM workers WHERE expires_at > ${DB_NOW_MS} ORDER BY pos`,
  );
  return result.rows.map(toWorker);
}

/** Removes a worker's entry. */
export async function removeWorker(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM workers WHERE id = $1', [id]);
}
