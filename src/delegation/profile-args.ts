import { z } from 'zod';
import { SELECTION_STRATEGIES } from './winner.js';

/** Upper bound on `variants`: each variant is a full agent run. */
export const MAX_VARIANTS = 8;

const variants = z.number().int().min(1).max(MAX_VARIANTS);

/** `config` of a coder task: the mechanical validation rules, plus optional reviewer and selection. */
export const coderConfigSchema = z.object({
  testCmd: z.string().min(1).optional(),
  typecheckCmd: z.string().min(1).optional(),
  forbiddenPaths: z.array(z.string().min(1)).optional(),
  maxDiffLines: z.number().int().min(1).optional(),
  /** How to pick the winner when `variants > 1` (default `highest-score`). */
  selection: z.enum(SELECTION_STRATEGIES).optional(),
  /** Name of a loaded agent that reviews each passing candidate. */
  reviewer: z.string().min(1).optional(),
  /** Per-command timeout in ms for `testCmd` / `typecheckCmd` (default 120 000). */
  commandTimeoutMs: z.number().int().min(100).optional(),
});

/** Arguments of the `coder` profile (the `delegate_code` tool minus `namespace`). */
export const coderArgsSchema = z.object({
  goal: z.string().min(1),
  repoRoot: z.string().min(1),
  contextHint: z.string().optional(),
  variants: variants.optional(),
  /** Same as `config.selection`; given here for convenience. */
  selection: z.enum(SELECTION_STRATEGIES).optional(),
  config: coderConfigSchema.optional(),
});

/** A source the researcher may read: a URL or reference, or a text with a title. */
export const researchSourceSchema = z.union([
  z.string().min(1),
  z.object({ title: z.string().optional(), url: z.string().optional(), text: z.string().optional() }),
]);

/** `config` of a researcher task: fact-gate settings. */
export const researcherConfigSchema = z.object({
  minPassageLength: z.number().int().min(1).optional(),
  selfGeneratedKinds: z.array(z.string().min(1)).optional(),
});

/** Arguments of the `researcher` profile (the `delegate_research` tool minus `namespace`). */
export const researcherArgsSchema = z.object({
  question: z.string().min(1),
  scope: z.string().optional(),
  sources: z.array(researchSourceSchema).optional(),
  variants: variants.optional(),
  config: researcherConfigSchema.optional(),
});

/** Arguments of an `agent:<name>` profile. */
export const agentArgsSchema = z.object({ message: z.string().min(1) });

/** Parsed arguments of each profile. */
export type CoderArgs = z.infer<typeof coderArgsSchema>;
export type ResearcherArgs = z.infer<typeof researcherArgsSchema>;
export type AgentArgs = z.infer<typeof agentArgsSchema>;
