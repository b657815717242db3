import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';
import { exportsOf, packageEntryPoints } from './helpers/public-exports.js';

// Every public name of every entry point, values and types. A new public name, or one removed,
// is a deliberate change to this list: internals stay behind it.
const PINNED: Record<string, { values: string[]; types: string[] }> = {
  '.': {
    values: [
      'BatonError',
      'BatonMetrics',
      'CancelledError',
      'ConflictError',
      'ContextTooLargeError',
      'ContextValueError',
      'EnvironmentError',
      'ForbiddenError',
      'InvalidTokenError',
      'LeaseLostError',
      'LimitExceededError',
      'MAX_CONTEXT_BYTES',
      'MessageTooLargeError',
      'ModelBehaviorError',
      'ModelCallError',
      'NotFoundError',
      'StoreCorruptError',
      'UserError',
      'ValidationError',
      'acyclicHandoffs',
      'admissionCounters',
      'askQuestion',
      'budgetCeiling',
      'contextKey',
      'createMetrics',
      'createOtlpTracerProvider',
      'createRuntime',
      'defineAgent',
      'defineChannel',
      'defineInvariant',
      'defineSchedule',
      'defineSkill',
      'finalOwner',
      'githubChannel',
      'guardrail',
      'isBatonError',
      'openStore',
      'scriptedModel',
      'sendMessage',
      'slackChannel',
      'tool',
      'toolPermission',
      'transfer',
      'verifiers',
    ],
    types: [
      'AdmissionClamp',
      'AdmissionContext',
      'AdmissionCounters',
      'AdmissionNode',
      'AdmissionSettings',
      'AdmissionViolation',
      'Agent',
      'AgentGraph',
      'AgentLimits',
      'AgentModuleLoader',
      'AgentOptions',
      'AgentTool',
      'AgentToolConnection',
      'AgentToolConnector',
      'AgentToolOptions',
      'AnswerResult',
      'AnyGuardrail',
      'AnyTool',
      'ApprovalPolicy',
      'ApprovalRequest',
      'BackgroundToolOptions',
      'BatonEvent',
      'BlobStore',
      'CallerIdentity',
      'Channel',
      'ChannelMessage',
      'ChannelOptions',
      'ChannelReplyContext',
      'ChannelReplyEvent',
      'ChildTasks',
      'ClampPatch',
      'ClientErrorCode',
      'Clock',
      'CompactionOptions',
      'ConfigErrorCode',
      'ContextKey',
      'ContextReader',
      'ConverseOptions',
      'ConverseResult',
      'DecideOptions',
      'DecisionResult',
      'DelegationErrorCode',
      'DeliverOptions',
      'DeliverResult',
      'ErrorBody',
      'ErrorCode',
      'EventDataByType',
      'ExecutionSettled',
      'FanOutOptions',
      'FanOutOutcome',
      'FanOutResult',
      'FinishReason',
      'GithubChannelOptions',
      'Guardrail',
      'GuardrailAction',
      'GuardrailContext',
      'GuardrailKind',
      'GuardrailOptions',
      'GuardrailValueByKind',
      'GuardrailVerdict',
      'HistoryFilter',
      'HttpErrorCode',
      'Instructions',
      'InstructionsContext',
      'Invariant',
      'InvariantVerdict',
      'MarkStore',
      'McpServerSpec',
      'MessagePriority',
      'ModelDeltaEvent',
      'ModelErrorCode',
      'ModelPricing',
      'ModelSpec',
      'NeedsApproval',
      'OpenStoreOptions',
      'OtlpOptions',
      'OtlpTracing',
      'Page',
      'PendingApproval',
      'PendingInput',
      'PersistedEventType',
      'PolicyVerdict',
      'PriceTable',
      'ProofErrorCode',
      'RetryPolicy',
      'RunErrorCode',
      'RunKind',
      'RunKindClaim',
      'RunKindContext',
      'RunKindDefinitionContext',
      'RunRecord',
      'RunStatus',
      'RunStore',
      'RunView',
      'Runtime',
      'RuntimeOptions',
      'SandboxErrorCode',
      'Schedule',
      'ScheduleOptions',
      'ScheduleTick',
      'Script',
      'ScriptEntry',
      'ScriptedRequest',
      'ScriptedStep',
      'ScriptedToolCall',
      'SessionContext',
      'SessionRecord',
      'SessionStatus',
      'SessionView',
      'Skill',
      'SkillOptions',
      'SkillSource',
      'SlackChannelOptions',
      'SqliteSynchronous',
      'StartOptions',
      'StartResult',
      'StartTickOptions',
      'StartTickResult',
      'Store',
      'StoreErrorCode',
      'StreamEvent',
      'StreamOptions',
      'TaskStore',
      'TelemetryOptions',
      'Tool',
      'ToolCallRecord',
      'ToolContext',
      'ToolErrorCode',
      'ToolInputSchema',
      'ToolOptions',
      'ToolableAgent',
      'Transfer',
      'TransferOptions',
      'TurnOutcome',
      'Usage',
      'Verifier',
      'VerifyContext',
      'Worker',
      'WorkerOptions',
      'WorkerRegistry',
      'WorkspaceErrorCode',
    ],
  },
  './client': {
    values: ['BatonApiError', 'BatonError', 'StreamFormatError', 'createClient', 'ndjsonDecoder'],
    types: [
      'AgentSummary',
      'BatonClient',
      'BatonEvent',
      'CallOptions',
      'ClientOptions',
      'ClientStreamOptions',
      'DeliverResult',
      'ErrorBody',
      'EventDataByType',
      'ModelDeltaEvent',
      'NdjsonDecoderOptions',
      'RunView',
      'SendInput',
      'SessionList',
      'SessionView',
      'StartResult',
      'StartSessionInput',
      'StreamEvent',
      'Usage',
    ],
  },
  './server': {
    values: ['LOG_FORMATS', 'LOG_LEVELS', 'createApp', 'createLogger', 'serve'],
    types: [
      'AgentSummary',
      'AppOptions',
      'AuthMode',
      'AuthOptions',
      'LogFormat',
      'LogLevel',
      'Logger',
      'LoggerOptions',
      'NodeBindings',
      'RunningServer',
      'ServeOptions',
      'SessionList',
    ],
  },
  './postgres': {
    values: ['PostgresStore', 'PostgresStoreError', 'openPostgresStore'],
    types: ['PostgresErrorCode', 'PostgresStoreOptions'],
  },
  './delegation': {
    values: ['builtInFactJudges', 'checkPatch', 'createTaskService', 'gateFacts'],
    types: [
      'CheckResult',
      'Citation',
      'FactCandidate',
      'FactGateOptions',
      'FactGateResult',
      'FactJudge',
      'FactVerdict',
      'FeedbackInput',
      'HistoryOptions',
      'PatchRules',
      'PatchValidation',
      'ProfileOptions',
      'RejectedFact',
      'SubmitTaskInput',
      'SubmitTaskResult',
      'TaskService',
      'TaskServiceOptions',
      'TaskView',
    ],
  },
  './handoff': {
    values: [
      'PolicyDeniedError',
      'agents',
      'defineHandoffConfig',
      'handoff',
      'localFirst',
      'reviewStrategies',
      'targets',
      'triggers',
    ],
    types: [
      'Checkpoint',
      'CheckpointBlob',
      'ContinueOptions',
      'DeniedFile',
      'DisclosedFile',
      'DisclosureReport',
      'Handoff',
      'HandoffAgent',
      'HandoffBudget',
      'HandoffDecision',
      'HandoffEnvelope',
      'HandoffOptions',
      'HandoffPatch',
      'HandoffPlan',
      'HandoffPolicy',
      'HandoffRequest',
      'HandoffRun',
      'HandoffSummary',
      'HandoffTarget',
      'HandoffTraceEntry',
      'HandoffTrigger',
      'JournalableTool',
      'LocalFirstOptions',
      'PlaneConnection',
      'ProofEnvelope',
      'PullResult',
      'ReviewCandidate',
      'ReviewResult',
      'ReviewStrategy',
      'Scorecard',
      'ToolJournalEntry',
    ],
  },
  './proof': {
    values: [
      'KeyPermissionsError',
      'loadOrCreateKeys',
      'parsePublicKey',
      'receiptForRun',
      'serializeEnvelope',
      'verifyChain',
      'verifyReceiptFile',
      'verifySessionLog',
    ],
    types: [
      'Artifact',
      'ChainVerdict',
      'Contract',
      'ProofEnvelope',
      'Receipt',
      'SessionLogVerdict',
      'Signature',
      'SigningKeys',
      'VerifyOptions',
      'VerifyVerdict',
    ],
  },
  './workspace': {
    values: [
      'DEFAULT_SANDBOX_LIMITS',
      'DetachedHeadError',
      'EmptyRepositoryError',
      'GitCommandError',
      'MissingBlobError',
      'NotAGitRepositoryError',
      'NotARegularFileError',
      'NotSupportedError',
      'PatchConflictError',
      'PatchTooLargeError',
      'PathEscapeError',
      'UnsafeSymlinkError',
      'UntrustedPatchError',
      'buildSandboxPolicy',
      'captureWorkspace',
      'createBwrapSandbox',
      'createUnsandboxed',
      'pullRun',
      'restoreWorkspace',
      'startExec',
      'startWorkspaceRun',
      'workspaceTools',
    ],
    types: [
      'BlobStore',
      'CaptureOptions',
      'DeniedReason',
      'PullOptions',
      'PullResult',
      'Sandbox',
      'SandboxCommand',
      'SandboxCommandLimits',
      'SandboxLimits',
      'SandboxPolicy',
      'SandboxPolicyOptions',
      'SandboxResult',
      'StartExecOptions',
      'StartWorkspaceRunOptions',
      'StartedExec',
      'UntrackedEntry',
      'WorkspaceManifest',
      'WorkspaceSandboxOptions',
      'WorkspaceToolsOptions',
    ],
  },
  './mcp': {
    values: [
      'McpServerError',
      'connectMcpTools',
      'createDelegationMcpServer',
      'mcpHttpHandler',
      'runtimeTaskService',
    ],
    types: ['DelegationMcpServerOptions', 'McpHttpOptions', 'McpToolConnection'],
  },
  './testing': {
    values: ['fakeClock', 'listenOnLoopback', 'scriptedModel', 'waitFor'],
    types: [
      'FakeClock',
      'Script',
      'ScriptEntry',
      'ScriptedRequest',
      'ScriptedStep',
      'ScriptedToolCall',
      'WaitForOptions',
    ],
  },
  './testing/contracts': {
    values: [
      'blobStoreContract',
      'markStoreContract',
      'runStoreContract',
      'sandboxContract',
      'storeContract',
      'taskStoreContract',
      'workerRegistryContract',
    ],
    types: ['PortFactory', 'PortUnderTest', 'StoreUnderTest'],
  },
};

const entries = packageEntryPoints();
const exported = exportsOf([...entries.values()]);

describe('public API', () => {
  it('has exactly the pinned entry points', () => {
    expect([...entries.keys()].sort()).toEqual(Object.keys(PINNED).sort());
  });

  for (const [key, file] of entries) {
    describe(`baton-runtime${key.slice(1)}`, () => {
      const names = exported.get(file) ?? [];

      it('exports exactly the pinned names', () => {
        const of = (kind: 'value' | 'type') =>
          names
            .filter((name) => name.kind === kind)
            .map((name) => name.name)
            .sort();
        expect({ values: of('value'), types: of('type') }).toEqual(PINNED[key]);
      });

      it('documents every export with JSDoc', () => {
        expect(names.filter((name) => !name.documented).map((name) => name.name)).toEqual([]);
      });

      it('has the pinned values at run time', async () => {
        const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        expect(Object.keys(module).sort()).toEqual(PINNED[key]?.values);
      });
    });
  }

  it('maps every entry point to its source in tsconfig paths, for the examples', () => {
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    const expected = Object.fromEntries(
      [...entries].map(([key, file]) => [`baton-runtime${key.slice(1)}`, [`./${relative(REPO_ROOT, file)}`]]),
    );
    expect(config.compilerOptions.paths).toEqual(expected);
  });

  it('offers the same scriptedModel at the root and in /testing', async () => {
    const root = await import('../src/index.js');
    const testing = await import('../src/testing/index.js');
    expect(testing.scriptedModel).toBe(root.scriptedModel);
  });

  it('loads /testing in a plain Node process, without vitest', async () => {
    const entry = pathToFileURL(join(REPO_ROOT, 'src', 'testing', 'index.ts')).href;
    const script = `const t = await import(${JSON.stringify(entry)});
const model = t.scriptedModel([{ text: 'hi' }]);
const loaded = Object.keys(globalThis).some((key) => key.startsWith('__vitest'));
console.log(JSON.stringify({ provider: model.provider, clock: typeof t.fakeClock().now(), loaded }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await collectProcess(child);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ provider: 'scripted', clock: 'number', loaded: false });
  });
});
