import { matchesClaimFilter } from '../claim-filter.js';
import { isClaimable } from '../records.js';
import type { ClaimOptions } from '../run-store.js';
import { ListQuery } from './list-query.js';
import type { RunRow } from './rows.js';
import { runFromRow } from './rows.js';
import type { SqliteStatements } from './statements.js';

/**
 * The run a claim takes, inside the caller's transaction: the named one if it is claimable and
 * matches the filter, else the oldest of the oldest queued run and the oldest run whose lease
 * expired.
 */
export function claimableRun(
  statements: SqliteStatements,
  now: number,
  options: ClaimOptions,
): RunRow | undefined {
  if (options.runId !== undefined) {
    const row = statements.getRun.get(options.runId) as RunRow | undefined;
    const run = row && runFromRow(row);
    return run && isClaimable(run, now) && matchesClaimFilter(run, options.filter) ? row : undefined;
  }
  const select = (query: ListQuery) => {
    const { sql, parameters } = query.matching(options.filter).oldestFirst('runs', 1);
    return statements.dynamic(sql).get(...parameters) as RunRow | undefined;
  };
  const queued = select(new ListQuery().where("status = 'queued'"));
  const expired = select(
    new ListQuery().where("status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= ?)", now),
  );
  if (!queued || !expired) return queued ?? expired;
  return queued.pos < expired.pos ? queued : expired;
}
