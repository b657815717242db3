import { z } from 'zod';
import { coderArgsSchema, researcherArgsSchema } from '../delegation/profile-args.js';
import { feedbackSchema } from '../delegation/service-schemas.js';
import { FEEDBACK_KINDS } from './delegation-wire.js';

/**
 * Input schemas of the MCP delegation tools, as raw zod shapes (what `registerTool` takes).
 * They are advertised in `tools/list`; arguments that fail them come back as tool errors.
 */
const namespace = z.string().min(1).max(200);
const taskId = z.string().min(1).max(200);

/** `delegate_code`: the coder profile's arguments plus an optional namespace. */
export const delegateCodeInput = { ...coderArgsSchema.shape, namespace: namespace.optional() };

/** `delegate_research`: the researcher profile's arguments; research is always filed under a namespace. */
export const delegateResearchInput = { ...researcherArgsSchema.shape, namespace };

/** `delegate`: a message for any loaded agent. */
export const delegateInput = {
  agent: z.string().min(1).describe('name of a loaded agent'),
  message: z.string().min(1),
  namespace: namespace.optional(),
};

/** `delegation_status`. */
export const delegationStatusInput = { taskId };

/** `delegation_cancel`. */
export const delegationCancelInput = { taskId };

/** `delegation_history`: no upper bound on `limit` here because the service lowers it to 500. */
export const delegationHistoryInput = {
  namespace: namespace.optional(),
  profile: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO timestamp; tasks created at or after it'),
  limit: z.number().int().min(1).optional().describe('default 50; more than 500 is lowered to 500'),
};

/** `delegate_feedback`: the service's rating, nested as `rating` with `by` beside it. */
export const delegateFeedbackInput = {
  refersTo: z.object({
    kind: z
      .enum(FEEDBACK_KINDS)
      .describe(
        '"delegation": ref is a taskId; "artifact" / "outcome": ref is "<taskId>" or "<taskId>#<what>"',
      ),
    ref: z.string().min(1).max(2000),
  }),
  rating: feedbackSchema.omit({ by: true }),
  by: feedbackSchema.shape.by,
};
