import { Hono } from 'hono';
import type { Runtime } from '../../runtime/types.js';
import { parseJsonBody } from '../request-input.js';
import { sendMessageBody } from '../schemas.js';
import type { ServerEnv } from '../server-env.js';

/** `POST /v1/messages`: a follow-up addressed by the session's continuation token. */
export function messageRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.post('/messages', async (c) => {
    const body = await parseJsonBody(c.req, sendMessageBody);
    const delivered = await runtime.deliver({
      continuationToken: body.continuationToken,
      message: body.message,
      ...(body.priority !== undefined && { priority: body.priority }),
      caller: c.var.caller,
    });
    const { sessionId, runId, continuationToken } = delivered;
    return c.json({ sessionId, runId, continuationToken }, 200);
  });

  return routes;
}
