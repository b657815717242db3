import { Hono } from 'hono';
import type { Runtime } from '../../runtime/types.js';
import { workerView } from '../../runtime/views.js';
import type { WorkerList } from '../../wire/api-types.js';
import type { ServerEnv } from '../server-env.js';

/** `GET /v1/workers`. */
export function workerRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/workers', async (c) => {
    const list: WorkerList = { workers: (await runtime.listWorkers()).map(workerView) };
    return c.json(list);
  });
  return routes;
}
