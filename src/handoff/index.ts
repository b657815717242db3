// Public API of `baton-runtime/handoff`: hand local work off to a pool of governed runners under a
// policy, and pull the result back (docs/handoff.md). Every export here is public API, pinned by
// test/public-api.test.ts.
export type { HandoffDecision, HandoffRequest } from '../governed/handoff/decide.js';
export type { HandoffEnvelope } from '../governed/handoff/envelope.js';
export { PolicyDeniedError } from '../governed/handoff/errors.js';
export type { HandoffPolicy, HandoffTrigger, LocalFirstOptions } from '../governed/handoff/policy.js';
export { localFirst, triggers } from '../governed/handoff/policy.js';
export type { PullResult } from '../governed/pull.js';
export type { ProofEnvelope } from '../proof/statements.js';
export type { HandoffAgent } from './agents.js';
export { agents } from './agents.js';
export type { DeniedFile, DisclosedFile, DisclosureReport } from './disclosure.js';
export type {
  Checkpoint,
  ContinueOptions,
  Handoff,
  HandoffBudget,
  HandoffOptions,
  HandoffPlan,
  HandoffSummary,
  HandoffTraceEntry,
} from './handoff.js';
export { defineHandoffConfig, handoff } from './handoff.js';
export type { HandoffPatch, HandoffRun } from './handoff-run.js';
export type { CheckpointBlob } from './local-checkpoint.js';
export type { PlaneConnection } from './plane-client.js';
export type { ReviewCandidate, ReviewResult, ReviewStrategy, Scorecard } from './review.js';
export { reviewStrategies } from './review.js';
export type { HandoffTarget } from './targets.js';
export { targets } from './targets.js';
export type { JournalableTool, ToolJournalEntry } from './tool-journal.js';
