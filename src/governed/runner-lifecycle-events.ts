import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';

// Finite (zod refuses Infinity and NaN) and never negative: a runner cannot refund its own spend.
const count = z.number().nonnegative();
/** Usage as a runner reports it, in an event or a run patch: counts and cost are finite and ≥ 0. */
export const runnerUsageSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  costUsd: count.optional(),
});
const usage = runnerUsageSchema;
const ids = z.array(z.string());

/**
 * The data of the run lifecycle events a runner may record: the plane derives the run's status,
 * usage, result and error from them (`lifecyclePatches`), so a malformed one would corrupt the
 * run record or fail the commit. The usage of a model call or a child run is checked too: spend
 * is summed from it (budgets, receipts). Other events are recorded as sent.
 */
const LIFECYCLE_DATA: Readonly<Record<string, z.ZodType>> = {
  'run.started': z.object({
    agent: z.string(),
    attempt: z.number().int().positive(),
    definitionHash: z.string(),
  }),
  'run.completed': z.object({ status: z.literal('succeeded'), text: z.string(), usage }),
  'run.failed': z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
  'run.cancelled': z.object({ reason: z.string().optional() }),
  // Gates are listed to people and decided on the plane: their shape must be what it reads.
  'approval.requested': z.object({
    approvalId: z.string(),
    toolCallId: z.string(),
    name: z.string(),
    inputHash: z.string(),
    agent: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string().optional(),
    runPath: z.array(z.string()),
  }),
  'approval.decided': z.object({
    approvalId: z.string(),
    decision: z.enum(['approve', 'deny']),
    by: z.string(),
    reason: z.string().optional(),
  }),
  'approval.expired': z.object({ approvalId: z.string(), expiresAt: z.string() }),
  'input.requested': z.object({
    requestId: z.string(),
    toolCallId: z.string(),
    question: z.string(),
    choices: z.array(z.string()).optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
    agent: z.string(),
    runPath: z.array(z.string()),
  }),
  'message.completed': z.object({ usage }),
  'subagent.completed': z.object({ usage }),
  'run.waiting': z.object({
    approvalIds: ids,
    requestIds: ids,
    childSessionIds: ids.optional(),
    taskIds: ids.optional(),
  }),
};

/** Refuses (`invalid_request`, 400) a runner's lifecycle event whose data the plane cannot apply. */
export function checkRunnerLifecycleEvent(draft: Pick<EventDraft, 'type' | 'data'>): void {
  const schema = LIFECYCLE_DATA[draft.type];
  const result = schema?.safeParse(draft.data);
  if (result === undefined || result.success) return;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new ValidationError(
    `invalid ${draft.type} data${field === '' ? '' : ` at ${field}`}: ${issue?.message ?? 'invalid value'}`,
    field,
  );
}
