// Public API of `baton`. Every export here is public API: add names on purpose, never `export *`.

export { createRuntime } from './baton-runtime.js';
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
  MessageTooLargeError,
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
export type {
  Citation,
  FactCandidate,
  FactGateOptions,
  FactGateResult,
  FactJudge,
  RejectedFact,
} from './delegation/fact-gate.js';
export { builtInFactJudges, gateFacts, SELF_GENERATED_KINDS } from './delegation/fact-gate.js';
export type { FanOutOptions, FanOutResult } from './delegation/fan-out.js';
export { fanOut } from './delegation/fan-out.js';
export type { CheckResult, PatchRules, PatchValidation } from './delegation/patch-validators.js';
export { checkPatch } from './delegation/patch-validators.js';
export type { ProfileOptions } from './delegation/profiles/profile-registry.js';
export { SECRET_PATTERNS } from './delegation/secret-scan.js';
export type { TaskExecutorOptions } from './delegation/task-executor.js';
export { createTaskExecutor } from './delegation/task-executor.js';
export { taskIdempotencyKey } from './delegation/task-key.js';
export type { TaskServiceOptions } from './delegation/task-service.js';
export { createTaskService } from './delegation/task-service.js';
export type {
  FeedbackInput,
  HistoryOptions,
  SubmitTaskInput,
  SubmitTaskResult,
  TaskService,
  TaskView,
} from './delegation/task-types.js';
export type { Review, SelectionStrategy } from './delegation/winner.js';
export { selectWinner } from './delegation/winner.js';
export type { Journal } from './loop/journal.js';
export type { MemoryJournalOptions } from './loop/memory-journal.js';
export { MemoryJournal } from './loop/memory-journal.js';
export { runTurn } from './loop/run-turn.js';
export type { LimitReason, StopCondition, TurnProgress } from './loop/stop-conditions.js';
export type { RunTurnOptions, TurnOutcome } from './loop/types.js';
export type { McpToolConnection } from './mcp/client/connect-mcp-tools.js';
export { connectMcpTools, McpServerError } from './mcp/client/connect-mcp-tools.js';
export type { DelegationMcpServerOptions } from './mcp/delegation-server.js';
export { createDelegationMcpServer } from './mcp/delegation-server.js';
export type { McpHttpOptions } from './mcp/http-handler.js';
export { mcpHttpHandler } from './mcp/http-handler.js';
export { runtimeTaskService } from './mcp/runtime-tasks.js';
export type { CallModelOptions, ModelResponse } from './model/call-model.js';
export { callModel } from './model/call-model.js';
export type { ClassifiedError, ErrorClass } from './model/classify-error.js';
export type { Clock } from './model/clock.js';
export { systemClock } from './model/clock.js';
export { normaliseFinishReason } from './model/finish-reason.js';
export { costOf } from './model/pricing.js';
export { resolveModel } from './model/resolve-model.js';
export type { RetryOptions, RetryPolicy, RetryResult } from './model/retry.js';
export { DEFAULT_RETRY_POLICY, withRetry } from './model/retry.js';
export type {
  Script,
  ScriptEntry,
  ScriptedRequest,
  ScriptedStep,
  ScriptedToolCall,
} from './model/scripted-model.js';
export { scriptedModel } from './model/scripted-model.js';
export { ensureBatonHome, resolveBatonHome } from './proof/baton-home.js';
export { findReceipt, issueContract, issueReceipt, receiptForRun, serializeEnvelope } from './proof/issue.js';
export type { SigningKeys } from './proof/keys.js';
export { loadOrCreateKeys, parsePublicKey, rawPublicKeyHex } from './proof/keys.js';
export type { Signature } from './proof/signature.js';
export { signStatement, verifyStatement } from './proof/signature.js';
export type { Artifact, Contract, ProofEnvelope, Receipt } from './proof/statements.js';
export { contractSchema, envelopeSchema, receiptSchema } from './proof/statements.js';
export type { VerifyOptions, VerifyVerdict } from './proof/verify.js';
export { verifyReceiptFile } from './proof/verify.js';
export type { AgentModuleLoader } from './runtime/agent-loader.js';
export { agentModuleLoader, agentModulePath, loadAgentFile, loadAgentsDir } from './runtime/agent-loader.js';
export type { AgentToolConnection, AgentToolConnector } from './runtime/agent-tools.js';
export type { RuntimeOptions } from './runtime/create-runtime.js';
export { DEFAULT_LEASE_TTL_MS, defaultLeaseTtlMs } from './runtime/lease-settings.js';
export type { StoreJournalOptions } from './runtime/store-journal.js';
export { StoreJournal } from './runtime/store-journal.js';
export { StreamLaggedError } from './runtime/stream-lagged-error.js';
export type {
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
export type { SessionLogVerdict } from './runtime/verify-session.js';
export { verifySessionLog } from './runtime/verify-session.js';
export type { AppOptions } from './server/app.js';
export { createApp, DEFAULT_BODY_LIMIT } from './server/app.js';
export type { AuthMode, AuthOptions } from './server/auth.js';
export { AUTH_MODES, authFromEnv } from './server/auth.js';
export {
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
} from './server/http-errors.js';
export type { AgentSummary } from './server/routes/agents.js';
export type { SessionList } from './server/routes/sessions.js';
export type { WorkerList } from './server/routes/workers.js';
export type { NodeBindings, RunningServer, ServeOptions } from './server/serve.js';
export { serve } from './server/serve.js';
export type { BatonServer, BatonServerOptions } from './server/start-server.js';
export { startBatonServer } from './server/start-server.js';
export type { AppendConflictReason } from './store/append-conflict.js';
export { AppendConflictError } from './store/append-conflict.js';
export type { AgentModuleEntry, ClaimFilter } from './store/claim-filter.js';
export { MemoryStore } from './store/memory/memory-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export { DEFAULT_DB_PATH, openStore } from './store/open-store.js';
export type { SqliteStoreOptions, SqliteSynchronous } from './store/sqlite/index.js';
export { SqliteStore, sqliteCommitFloor } from './store/sqlite/index.js';
export type {
  AppendOptions,
  Claim,
  ClaimOptions,
  EventListener,
  FeedbackRecord,
  Fence,
  Lease,
  NewRun,
  NewSession,
  NewSessionStart,
  NewTask,
  Page,
  ReadEventsOptions,
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
export { StoreCorruptError } from './store/store-corrupt.js';
export type {
  WorkerAnnouncement,
  WorkerRecord,
  WorkerRegistry,
  WorkerServes,
} from './store/worker-registry.js';
export type { CaptureOptions } from './workspace/capture.js';
export { captureWorkspace } from './workspace/capture.js';
export {
  DetachedHeadError,
  EmptyRepositoryError,
  GitCommandError,
  MissingBlobError,
  NotAGitRepositoryError,
  NotSupportedError,
  PatchConflictError,
  PathEscapeError,
} from './workspace/errors.js';
export type { ExecExecutorContext, ExecOutcome } from './workspace/governed/exec-executor.js';
export { createExecExecutor } from './workspace/governed/exec-executor.js';
export type { StartExecOptions, StartedExec } from './workspace/governed/start-exec.js';
export { startExec } from './workspace/governed/start-exec.js';
export type { StartWorkspaceRunOptions, WorkspaceRunInput } from './workspace/governed/workspace-run.js';
export { startWorkspaceRun } from './workspace/governed/workspace-run.js';
export type { DeniedReason, UntrackedEntry, WorkspaceManifest } from './workspace/manifest.js';
export { manifestHash } from './workspace/manifest.js';
export type { PatchSummary } from './workspace/patch.js';
export { capturePatch } from './workspace/patch.js';
export type { PullOptions, PullResult } from './workspace/pull.js';
export { pullRun } from './workspace/pull.js';
export { restoreWorkspace } from './workspace/restore.js';
export type { SandboxExecOptions } from './workspace/sandbox/sandbox-exec.js';
export { createBwrapSandbox, createUnsandboxed, sandboxExec } from './workspace/sandbox/sandbox-exec.js';
export type { Sandbox, SandboxCommand, SandboxLimits, SandboxResult } from './workspace/sandbox/types.js';
export { DEFAULT_SECRET_PATTERNS } from './workspace/secret-patterns.js';
export type { WorkspaceSandboxOptions, WorkspaceToolsOptions } from './workspace/tools/workspace-tools.js';
export { workspaceTools } from './workspace/tools/workspace-tools.js';
