import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';
import { pageOf } from '../page.js';

/**
 * The statement as a named prepared statement. Each pooled connection then parses and plans it
 * once and afterwards only binds and executes it: for the append statement, planning was more
 * than half of the database's CPU per commit. The name is a digest of the text, so statements
 * whose text varies with a patch's shape get one name per shape (a handful) and never clash.
 * Only for statements whose best plan does not depend on the values (Postgres may switch to a
 * generic plan after five executions).
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  return { name: `baton_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`, text, values };
}

import type { Page } from '../page.js';

/** True when a driver error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** Turns `limit + 1` rows, newest first (`pos` as bigint text), into a page with a cursor when there is more. */
export function pageOfRows<Row extends { pos: string }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  return pageOf(rows, limit, (row) => Number(row.pos), map);
}
