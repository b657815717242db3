import { Hono } from 'hono';
import type { Runtime } from '../../runtime/types.js';
import { pathId } from '../request-input.js';
import type { ServerEnv } from '../server-env.js';

/** `GET /v1/runs/:id`, `POST /v1/runs/:id/cancel`. */
export function runRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/runs/:id', async (c) => c.json(await runtime.getRun(pathId('run', c.req.param('id')))));

  // Cancelling takes no body; a finished run answers 409 from the runtime's ConflictError.
  routes.post('/runs/:id/cancel', async (c) =>
    c.json(await runtime.cancel(pathId('run', c.req.param('id')))),
  );

  return routes;
}
