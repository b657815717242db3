import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';

const count = z.number().nonnegative();
const usage = z.object({
  inputTokens: count,
  outputTokens: count,
  costUsd: z.number().nonnegative().optional(),
});
const ids = z.array(z.string());

/**
 * The data of the run lifecycle events a runner may record: the plane derives the run's status,
 * usage, result and error from them (`lifecyclePatches`), so a malformed one would corrupt the
 * run record or fail the commit. Other events are recorded as sent.
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
