import { Hono } from 'hono';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { PolicyDeniedError } from '../../governed/handoff/errors.js';
import type { SecretSource } from '../../governed/handoff/secret-source.js';
import type { RunnerPlane } from '../../governed/runner-plane.js';
import { parseHeader, pathId } from '../request-input.js';
import { authenticateRunner, type RunnerAccess } from '../runner-access.js';
import type { ServerEnv } from '../server-env.js';

const leaseToken = z.string().min(1).max(256);
const pool = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a pool name');
const secretNames = z.object({ secrets: z.array(z.string().max(256)).max(1_000).optional() }).passthrough();

/**
 * `POST /v1/runner/:pool/runs/:run/secrets` (runner token and `Baton-Lease`): the values of the
 * secrets the run's input names, from the plane's own source, for the runner that holds the
 * run's lease in its pool. The answer is the only place a value leaves the plane; nothing of it
 * is logged or stored. A secret the source does not release to the pool is `policy_denied`.
 */
export function runnerSecretRoutes(
  plane: RunnerPlane,
  secrets: SecretSource,
  access: RunnerAccess,
): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.use('/:pool/*', authenticateRunner(access));
  routes.post('/:pool/runs/:run/secrets', async (c) => {
    const runPool = parseHeader('pool', c.req.param('pool'), pool);
    const run = await plane.run(
      runPool,
      pathId('run', c.req.param('run')),
      parseHeader('baton-lease', c.req.header('baton-lease') ?? '', leaseToken),
    );
    const named = secretNames.safeParse(run.input);
    // The plane wrote the input, but a run queued by other means may name its secrets wrongly:
    // that is the run's fault, answered as such, never a server fault.
    if (!named.success)
      throw new ValidationError(
        `run ${run.id} names its secrets malformed: a list of names is expected`,
        'secrets',
      );
    const released: [string, string][] = [];
    const unavailable: string[] = [];
    for (const name of named.data.secrets ?? []) {
      const value = secrets.release(name, runPool);
      if (value === undefined)
        unavailable.push(`secret ${name} is not available on the plane for pool "${runPool}"`);
      else released.push([name, value]);
    }
    if (unavailable.length > 0) throw new PolicyDeniedError(unavailable);
    c.header('cache-control', 'no-store');
    // Own properties only: a secret named `__proto__` is a name like any other.
    return c.json({ secrets: Object.fromEntries(released) });
  });
  return routes;
}
