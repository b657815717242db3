import type { MiddlewareHandler } from 'hono';
import { TooDeepError, UnsupportedMediaTypeError } from './http-errors.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './input-limits.js';
import type { ServerEnv } from './server-env.js';

/**
 * Requires every non-empty request body to be `application/json` (415 otherwise) nested at most
 * {@link MAX_JSON_DEPTH} deep (400 `too_deep`). A browser sends `text/plain` and form bodies
 * cross-site without a preflight, so refusing them is what keeps a web page from starting runs;
 * bodiless POSTs (cancel, trigger) need no type. Runs after `limitBody`, on the bytes it read.
 */
export function requireJsonBody(): MiddlewareHandler<ServerEnv> {
  return async function requireJsonRequestBody(c, next) {
    const body = c.get('requestBody');
    if (body !== undefined && body.byteLength > 0) {
      const type = c.req.header('content-type');
      if (mediaType(type) !== 'application/json') throw new UnsupportedMediaTypeError(type);
      if (exceedsJsonDepth(body)) throw new TooDeepError(MAX_JSON_DEPTH);
    }
    await next();
  };
}

/** `application/json` of `Application/JSON; charset=utf-8`. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase();
}
