import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, UserError } from '../core/errors.js';
import { checkPoolName, DEFAULT_POOL } from '../governed/pool-name.js';
import { UnauthorizedError } from './http-errors.js';
import type { ServerEnv } from './server-env.js';

/**
 * Which pools a plane serves and the runner token each needs (`baton serve --runner-token`):
 * `pool=token` pairs, or one bare token for pool `default`. With none configured, the plane
 * serves pool `default` without a token when its API has no auth (`--auth none`), and admits
 * no runner at all when it has: a runner then needs a token of its own.
 */
export interface RunnerAccess {
  /** Pool name → sha256 of its token; null: no token needed. */
  readonly pools: ReadonlyMap<string, Buffer | null>;
}

const RUNNER_CHALLENGE = 'Bearer realm="baton-runner"';

/** The runner access of `--runner-token` values under the API's auth mode. */
export function runnerAccess(tokens: readonly string[], apiAuth: 'none' | 'bearer' | 'basic'): RunnerAccess {
  const pools = new Map<string, Buffer | null>();
  for (const value of tokens) {
    const equals = value.indexOf('=');
    const pool = equals < 0 ? DEFAULT_POOL : checkPoolName(value.slice(0, equals));
    const token = equals < 0 ? value : value.slice(equals + 1);
    if (token === '')
      throw new UserError('invalid_runner_token', `the runner token of pool ${pool} is empty`);
    pools.set(pool, digest(token));
  }
  if (tokens.length === 0 && apiAuth === 'none') pools.set(DEFAULT_POOL, null);
  return { pools };
}

/**
 * Admits a runner request for the pool in the path: the pool must be served and, when it has a
 * token, `Authorization: Bearer <token>` must carry it (compared as digests, in constant time).
 */
export function authenticateRunner(access: RunnerAccess): MiddlewareHandler<ServerEnv> {
  return async function authenticateRunnerRequest(c, next) {
    const pool = c.req.param('pool') ?? '';
    const expected = access.pools.get(pool);
    const header = c.req.header('authorization') ?? '';
    const token = /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (expected === undefined)
      throw new ForbiddenError(
        'unknown_pool',
        `this plane serves no pool ${JSON.stringify(pool)} to runners`,
      );
    if (expected !== null && (token === undefined || !timingSafeEqual(digest(token), expected)))
      throw new UnauthorizedError(RUNNER_CHALLENGE, 'missing or invalid runner token');
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
