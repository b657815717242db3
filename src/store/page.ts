import { encodeCursor } from './page-cursor.js';

/** One page of a listing, newest first; pass `nextCursor` back as `cursor` for the next. */
export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next (older) page, absent on the last page. */
  nextCursor?: string;
}

/** What every listing takes: a page size and the cursor of the page before, if any. */
export interface ListOptions {
  limit: number;
  cursor?: string;
}

/**
 * The page of `items`, newest first, fetched as one more than `limit` so that the extra one
 * tells whether an older page exists; the cursor points past the last item kept. Every
 * backend's listings end here.
 */
export function pageOf<Item, T>(
  items: readonly Item[],
  limit: number,
  positionOf: (item: Item) => number,
  map: (item: Item) => T,
): Page<T> {
  const kept = items.slice(0, limit);
  const page: Page<T> = { items: kept.map(map) };
  const last = kept.at(-1);
  if (items.length > limit && last !== undefined) page.nextCursor = encodeCursor(positionOf(last));
  return page;
}
