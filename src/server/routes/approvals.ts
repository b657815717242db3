import { Hono } from 'hono';
import { z } from 'zod';
import type { Runtime } from '../../runtime/types.js';
import type { ApprovalList } from '../../wire/api-types.js';
import { parseJsonBody, parseQuery, pathId } from '../request-input.js';
import { storableText } from '../schemas.js';
import type { ServerEnv } from '../server-env.js';

/** `GET /v1/approvals?status=pending&sessionId&limit&cursor`. */
const listApprovalsQuery = z.object({
  status: z.literal('pending').optional(),
  sessionId: z.string().min(1).max(256).optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  cursor: z.string().min(1).max(256).optional(),
});

/** `POST /v1/approvals/:approvalId`. */
const decideBody = z.object({
  decision: z.enum(['approve', 'deny']),
  reason: storableText.pipe(z.string().max(4_000)).optional(),
  inputHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest')
    .optional(),
});

/** `POST /v1/inputs/:requestId`. */
const answerBody = z.object({ answer: z.unknown() }).refine((body) => 'answer' in body, {
  message: 'answer is required',
  path: ['answer'],
});

/** The approval and question routes (docs/hitl.md): list, decide, answer. */
export function approvalRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/approvals', async (c) => {
    const query = parseQuery(c.req.query(), listApprovalsQuery);
    const page = await runtime.listApprovals({
      ...(query.sessionId !== undefined && { sessionId: query.sessionId }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
    const list: ApprovalList = {
      approvals: page.items,
      ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    };
    return c.json(list);
  });

  routes.post('/approvals/:approvalId', async (c) => {
    const body = await parseJsonBody(c.req, decideBody);
    const approvalId = pathId('approval', c.req.param('approvalId'));
    const result = await runtime.decide(approvalId, {
      decision: body.decision,
      caller: c.var.caller,
      ...(body.reason !== undefined && { reason: body.reason }),
      ...(body.inputHash !== undefined && { inputHash: body.inputHash }),
    });
    return c.json(result, 200);
  });

  routes.post('/inputs/:requestId', async (c) => {
    const body = await parseJsonBody(c.req, answerBody);
    const requestId = pathId('input request', c.req.param('requestId'));
    return c.json(await runtime.answer(requestId, body.answer, { caller: c.var.caller }), 200);
  });

  return routes;
}
