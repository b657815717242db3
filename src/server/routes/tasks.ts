import { Hono } from 'hono';
import { z } from 'zod';
import { feedbackSchema, submitSchema } from '../../delegation/service-schemas.js';
import type { TaskService } from '../../delegation/task-types.js';
import { parseJsonBody, parseQuery, pathId } from '../request-input.js';
import type { ServerEnv } from '../server-env.js';

const historyQuery = z.object({
  namespace: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'expected a positive integer')
    .transform(Number)
    .pipe(z.number().int().min(1))
    .optional(),
});

/** `attachFeedback`'s rating, flat (`{ score, label?, notes, by }`) or as MCP callers send it (`{ rating, by }`). */
const feedbackBody = z.union([
  feedbackSchema,
  z
    .object({ rating: feedbackSchema.omit({ by: true }), by: feedbackSchema.shape.by })
    .transform(({ rating, by }) => ({ ...rating, by })),
]);

/**
 * Delegation over HTTP: `POST /v1/tasks` (202 with `{ taskId, reused }`), `GET /v1/tasks/:id`,
 * `GET /v1/tasks?namespace&profile&since&limit` (`{ tasks }`, newest first),
 * `POST /v1/tasks/:id/cancel`, `POST /v1/tasks/:id/feedback` (201 with `{ recorded: true, ...the feedback record }`).
 */
export function taskRoutes(tasks: TaskService): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.post('/tasks', async (c) => {
    const body = await parseJsonBody(c.req.raw, submitSchema);
    const submitted = await tasks.submitTask(body);
    return c.json(submitted, submitted.reused ? 200 : 202);
  });

  routes.get('/tasks', async (c) =>
    c.json({ tasks: await tasks.history(parseQuery(c.req.query(), historyQuery)) }),
  );

  routes.get('/tasks/:id', async (c) => c.json(await tasks.getTask(pathId('task', c.req.param('id')))));

  routes.post('/tasks/:id/cancel', async (c) =>
    c.json(await tasks.cancelTask(pathId('task', c.req.param('id')))),
  );

  routes.post('/tasks/:id/feedback', async (c) => {
    const body = await parseJsonBody(c.req.raw, feedbackBody);
    const record = await tasks.attachFeedback(pathId('task', c.req.param('id')), body);
    // `recorded` as delegate_feedback answers over MCP, plus the record itself.
    return c.json({ recorded: true, ...record }, 201);
  });

  return routes;
}
