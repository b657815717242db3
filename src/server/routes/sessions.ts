import { Hono } from 'hono';
import { NotFoundError } from '../../core/errors.js';
import type { Runtime } from '../../runtime/types.js';
import type { SessionList } from '../../wire/api-types.js';
import { parseJsonBody, parseQuery, pathId } from '../request-input.js';
import { listSessionsQuery, startSessionBody } from '../schemas.js';
import type { ServerEnv } from '../server-env.js';

/** `POST /v1/sessions`, `GET /v1/sessions`, `GET /v1/sessions/:id`. */
export function sessionRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.post('/sessions', async (c) => {
    const body = await parseJsonBody(c.req, startSessionBody);
    // Checked here so that an unknown agent is a 404 before anything is written.
    if (!runtime.agents.has(body.agent)) throw new NotFoundError('agent', body.agent);
    const started = await runtime.start({
      agent: body.agent,
      message: body.message,
      caller: c.var.caller,
      ...(body.context !== undefined && { context: body.context }),
      ...(body.idempotencyKey !== undefined && { idempotencyKey: body.idempotencyKey }),
    });
    const { sessionId, runId, continuationToken } = started;
    const location = { location: `/v1/sessions/${encodeURIComponent(sessionId)}/stream` };
    // A replay answers 200 and carries the token only for the same authenticated caller.
    if (started.replayed) {
      return c.json(
        { sessionId, runId, replayed: true, ...(continuationToken !== undefined && { continuationToken }) },
        200,
        location,
      );
    }
    return c.json({ sessionId, runId, continuationToken }, 202, location);
  });

  routes.get('/sessions', async (c) => {
    const query = parseQuery(c.req.query(), listSessionsQuery);
    const page = await runtime.listSessions({
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
    const list: SessionList = {
      sessions: page.items,
      ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    };
    return c.json(list);
  });

  routes.get('/sessions/:id', async (c) =>
    c.json(await runtime.getSession(pathId('session', c.req.param('id')))),
  );

  return routes;
}
