// Public API of `baton`. Every export here is public API: add names on purpose, never `export *`.
export type { Agent, AgentLimits, AgentOptions, McpServerSpec, ModelSpec } from './core/agent.js';
export { agentDefinitionHash, defineAgent } from './core/agent.js';
export type { ErrorBody } from './core/errors.js';
export {
  BatonError,
  CancelledError,
  ConflictError,
  EnvironmentError,
  InvalidTokenError,
  LeaseLostError,
  LimitExceededError,
  ModelBehaviorError,
  ModelCallError,
  NotFoundError,
  UserError,
  ValidationError,
} from './core/errors.js';
export type {
  BatonEvent,
  ChainVerdict,
  EventDataByType,
  EventDraft,
  FinishReason,
  ModelDeltaEvent,
  PersistedEventType,
  StreamEvent,
  ToolCallRecord,
  Usage,
} from './core/events.js';
export { computeEventHash, GENESIS_HASH, verifyChain } from './core/events.js';
export { canonicalJson, sha256Hex } from './core/hash.js';
export type { AnyTool, CallerIdentity, Tool, ToolContext, ToolOptions } from './core/tool.js';
export { tool } from './core/tool.js';
export type { Journal } from './loop/journal.js';
export { MemoryStore } from './store/memory/memory-store.js';
export type {
  AppendOptions,
  Claim,
  EventListener,
  FeedbackRecord,
  Fence,
  Lease,
  NewRun,
  NewSession,
  NewTask,
  Page,
  RunPatch,
  RunRecord,
  RunStatus,
  SessionPatch,
  SessionRecord,
  SessionStatus,
  Store,
  TaskPatch,
  TaskRecord,
} from './store/store.js';
