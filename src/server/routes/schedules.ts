import { Hono } from 'hono';
import type { Scheduler } from '../../schedules/scheduler.js';
import { pathId } from '../request-input.js';
import type { ServerEnv } from '../server-env.js';

/** `GET /v1/schedules`, `POST /v1/schedules/:agent/:id/trigger`. */
export function scheduleRoutes(scheduler: Scheduler): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/schedules', async (c) => c.json({ schedules: await scheduler.list() }));
  routes.post('/schedules/:agent/:id/trigger', async (c) => {
    const id = `${pathId('schedule', c.req.param('agent'))}/${pathId('schedule', c.req.param('id'))}`;
    return c.json(await scheduler.trigger(id), 202);
  });
  return routes;
}
