import { encodeCursor } from '../page-cursor.js';
import type { Page } from '../store.js';

/** True when a driver error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** Turns `limit + 1` rows, newest first, into a page with a cursor when there is more. */
export function pageOf<Row extends { pos: string }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const page: Page<T> = { items: items.map(map) };
  const last = items.at(-1);
  if (rows.length > limit && last) page.nextCursor = encodeCursor(Number(last.pos));
  return page;
}
