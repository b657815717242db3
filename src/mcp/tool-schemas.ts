import { z } from 'zod';
import { coderArgsSchema, researcherArgsSchema } from '../delegation/profile-args.js';

/**
 * Input schemas of the MCP delegation tools, as raw zod shapes (what `registerTool` takes).
 * They are advertised in `tools/list`; arguments that fail them come back as tool errors.
 */
const namespace = z.string().min(1).max(200);
const taskId = z.string().min(1).max(200);

export const delegateCodeInput = { ...coderArgsSchema.shape, namespace: namespace.optional() };

export const delegateResearchInput = { ...researcherArgsSchema.shape, namespace };

export const delegateInput = {
  agent: z.string().min(1).describe('name of a loaded agent'),
  message: z.string().min(1),
  namespace: namespace.optional(),
};

export const delegationStatusInput = { taskId };

export const delegationCancelInput = { taskId };

export const delegationHistoryInput = {
  namespace: namespace.optional(),
  profile: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO timestamp; tasks created at or after it'),
  limit: z.number().int().min(1).max(500).optional(),
};

export const delegateFeedbackInput = {
  refersTo: z.object({ kind: z.literal('task'), ref: taskId }),
  rating: z.object({
    score: z.number().min(0).max(1),
    label: z.string().max(200).optional(),
    notes: z.string().max(10_000),
  }),
  by: z.enum(['agent', 'user', 'downstream-judge']),
};
