// Public API of `baton-runtime`: authoring and running agents. Every export here is public API,
// pinned by test/public-api.test.ts: add names on purpose, never `export *`. The rest of the
// surface lives behind subpaths (`baton-runtime/client`, `/server`, `/postgres`, ...).

export { createRuntime, type RuntimeOptions } from './baton-runtime.js';
export type {
  Channel,
  ChannelMessage,
  ChannelOptions,
  ChannelReplyContext,
  ChannelReplyEvent,
  Verifier,
  VerifyContext,
} from './channels/channel.js';
export { defineChannel } from './channels/channel.js';
export type { GithubChannelOptions } from './channels/github-channel.js';
export { githubChannel } from './channels/github-channel.js';
export type { SlackChannelOptions } from './channels/slack-channel.js';
export { slackChannel } from './channels/slack-channel.js';
export { verifiers } from './channels/verifiers.js';
export type {
  Agent,
  AgentLimits,
  AgentOptions,
  CompactionOptions,
  HistoryFilter,
  Instructions,
  InstructionsContext,
  McpServerSpec,
  ModelPricing,
  ModelSpec,
  Transfer,
  TransferOptions,
} from './core/agent.js';
export { defineAgent, transfer } from './core/agent.js';
export type {
  AgentTool,
  AgentToolOptions,
  FanOutOptions,
  FanOutOutcome,
  FanOutResult,
  ToolableAgent,
} from './core/agent-tool.js';
export { askQuestion } from './core/ask-question.js';
export type { BackgroundToolOptions } from './core/background-tool.js';
export { sendMessage } from './core/background-tool.js';
export type { ChildTasks } from './core/child-tasks.js';
export type { ContextKey, ContextReader, SessionContext } from './core/context-key.js';
export {
  ContextTooLargeError,
  ContextValueError,
  contextKey,
  MAX_CONTEXT_BYTES,
} from './core/context-key.js';
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
  AdmissionClamp,
  AdmissionViolation,
  BatonEvent,
  EventDataByType,
  FinishReason,
  MessagePriority,
  ModelDeltaEvent,
  PersistedEventType,
  StreamEvent,
  ToolCallRecord,
  Usage,
} from './core/events.js';
export type { ApprovalPolicy, ApprovalRequest, PolicyVerdict } from './core/gates.js';
export type {
  AnyGuardrail,
  Guardrail,
  GuardrailAction,
  GuardrailContext,
  GuardrailKind,
  GuardrailOptions,
  GuardrailValueByKind,
  GuardrailVerdict,
} from './core/guardrail.js';
export { guardrail } from './core/guardrail.js';
export type { Skill, SkillOptions, SkillSource } from './core/skill.js';
export { defineSkill } from './core/skill.js';
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
export {
  acyclicHandoffs,
  budgetCeiling,
  finalOwner,
  toolPermission,
} from './loop/admission/built-in-invariants.js';
export type { AdmissionCounters, AdmissionSettings } from './loop/admission/check-admission.js';
export { admissionCounters } from './loop/admission/check-admission.js';
export type {
  AdmissionContext,
  AdmissionNode,
  AgentGraph,
  ClampPatch,
  Invariant,
  InvariantVerdict,
} from './loop/admission/invariant.js';
export { defineInvariant } from './loop/admission/invariant.js';
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
  ConverseOptions,
  ConverseResult,
  DecideOptions,
  DeliverOptions,
  DeliverResult,
  ExecutionSettled,
  Runtime,
  RunView,
  SessionView,
  StartOptions,
  StartResult,
  StartTickOptions,
  StartTickResult,
  StreamOptions,
  Worker,
  WorkerOptions,
} from './runtime/types.js';
export type { Schedule, ScheduleOptions, ScheduleTick } from './schedules/schedule.js';
export { defineSchedule } from './schedules/schedule.js';
export type { BlobStore } from './store/blob-store.js';
export type { MarkStore } from './store/mark-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export { openStore } from './store/open-store.js';
export type { Page } from './store/page.js';
export type { RunRecord, RunStatus, RunStore, SessionRecord, SessionStatus } from './store/run-store.js';
export type { SqliteSynchronous } from './store/sqlite/index.js';
export type { Store } from './store/store.js';
export { StoreCorruptError } from './store/store-corrupt.js';
export type { TaskStore } from './store/task-store.js';
export type { WorkerRegistry } from './store/worker-registry.js';
export type { TelemetryOptions } from './telemetry/instrumentation.js';
export { BatonMetrics, createMetrics } from './telemetry/metrics.js';
export { createOtlpTracerProvider, type OtlpOptions, type OtlpTracing } from './telemetry/otlp.js';
