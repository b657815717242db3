import type { MiddlewareHandler } from 'hono';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { isStorableText, replaceUnstorable } from './input-limits.js';
import type { ServerEnv } from './server-env.js';

/**
 * Refuses, on every route, a path or query holding text no store can hold (NUL, an unpaired
 * surrogate) before a handler passes it to a store: PostgreSQL would fail the lookup itself and
 * the caller would see a 500 for bad input. Such a path names nothing (404); such a query
 * parameter is invalid (400, naming it).
 */
export function refuseUnstorableUrl(): MiddlewareHandler<ServerEnv> {
  return async function refuseUnstorableUrlText(c, next) {
    const url = new URL(c.req.url);
    const path = url.pathname.split('/').map(decodeSegment).join('/');
    if (!isStorableText(path)) throw new NotFoundError('resource', replaceUnstorable(path));
    for (const [name, value] of url.searchParams) {
      if (!isStorableText(name) || !isStorableText(value)) {
        throw new ValidationError(
          `invalid query parameter ${replaceUnstorable(name)}: must not contain NUL or unpaired surrogates`,
          name,
        );
      }
    }
    await next();
  };
}

/** A percent-decoded path segment; one that does not decode is kept as it is, as the router does. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // As the router does: a segment that does not decode is matched as written.
    return segment;
  }
}
