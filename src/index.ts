// Public API of `baton-runtime`: authoring and running agents. Every export here is public API,
// pinned by test/public-api.test.ts: add names on purpose, never `export *`. The rest of the
// surface lives behind subpaths (`baton-runtime/client`, `/server`, `/postgres`, ...).

export { createRuntime, type RuntimeOptions } from './baton-runtime.js';
export type {
  Agent,
  AgentLimits,
  AgentOptions,
  McpServerSpec,
  ModelPricing,
  ModelSpec,
} from './core/agent.js';
export { defineAgent } from './core/agent.js';
export { askQuestion } from './core/ask-question.js';
export type {
  ClientErrorCode,
  ConfigErrorCode,
  DelegationErrorCode,
  ErrorCode,
  HttpErrorCode,
  ModelErrorCode,
  ProofErrorCode,
  RunErrorCode,
  SandboxErrorCode,
  StoreErrorCode,
  ToolErrorCode,
  WorkspaceErrorCode,
} from './core/error-codes.js';
export type { ErrorBody } from './core/errors.js';
export {
  BatonError,
  CancelledError,
  ConflictError,
  EnvironmentError,
  ForbiddenError,
  InvalidTokenError,
  isBatonError,
  LeaseLostError,
  LimitExceededError,
  MessageTooLargeError,
  ModelBehaviorError,
  ModelCallError,
  NotFoundError,
  UserError,
  ValidationError,
} from './core/errors.js';
export type {
  BatonEvent,
  EventDataByType,
  FinishReason,
  ModelDeltaEvent,
  PersistedEventType,
  StreamEvent,
  ToolCallRecord,
  Usage,
} from './core/events.js';
export type { ApprovalPolicy, ApprovalRequest, PolicyVerdict } from './core/gates.js';
export type {
  AnyTool,
  CallerIdentity,
  NeedsApproval,
  Tool,
  ToolContext,
  ToolInputSchema,
  ToolOptions,
} from './core/tool.js';
export { tool } from './core/tool.js';
export type { TurnOutcome } from './loop/types.js';
export type { Clock } from './model/clock.js';
export type { PriceTable } from './model/pricing.js';
export type { RetryPolicy } from './model/retry.js';
export type {
  Script,
  ScriptEntry,
  ScriptedRequest,
  ScriptedStep,
  ScriptedToolCall,
} from './model/scripted-model.js';
export { scriptedModel } from './model/scripted-model.js';
export type { AgentModuleLoader } from './runtime/agent-loader.js';
export type { AgentToolConnection, AgentToolConnector } from './runtime/agent-tools.js';
export type { AnswerResult, DecisionResult } from './runtime/gate-decisions.js';
export type { PendingApproval, PendingInput } from './runtime/pending-gates.js';
export type { RunKind, RunKindClaim, RunKindContext, RunKindDefinitionContext } from './runtime/run-kind.js';
export type {
  DecideOptions,
  DeliverOptions,
  DeliverResult,
  ExecutionSettled,
  Runtime,
  RunView,
  SessionView,
  StartOptions,
  StartResult,
  StreamOptions,
  Worker,
  WorkerOptions,
} from './runtime/types.js';
export type { BlobStore } from './store/blob-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export { openStore } from './store/open-store.js';
export type { Page } from './store/page.js';
export type { RunRecord, RunStatus, RunStore, SessionRecord, SessionStatus } from './store/run-store.js';
export type { SqliteSynchronous } from './store/sqlite/index.js';
export type { Store } from './store/store.js';
export { StoreCorruptError } from './store/store-corrupt.js';
export type { TaskStore } from './store/task-store.js';
export type { WorkerRegistry } from './store/worker-registry.js';
