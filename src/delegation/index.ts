// Public API of `baton-runtime/delegation`: durable tasks other agents hand to Baton, and the
// gates their results pass. Every export here is public API, pinned by test/public-api.test.ts.
export type {
  Citation,
  FactCandidate,
  FactGateOptions,
  FactGateResult,
  FactJudge,
  FactVerdict,
  RejectedFact,
} from './fact-gate.js';
export { builtInFactJudges, gateFacts } from './fact-gate.js';
export type { CheckResult, PatchRules, PatchValidation } from './patch-validators.js';
export { checkPatch } from './patch-validators.js';
export type { ProfileOptions } from './profiles/profile-registry.js';
export type { TaskServiceOptions } from './task-service.js';
export { createTaskService } from './task-service.js';
export type {
  FeedbackInput,
  HistoryOptions,
  SubmitTaskInput,
  SubmitTaskResult,
  TaskService,
  TaskView,
} from './task-types.js';
