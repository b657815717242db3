import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { ConflictError, UserError } from '../core/errors.js';
import type { ApprovalPolicy } from '../core/gates.js';
import type { RunTurnOptions } from '../loop/types.js';
import type { Store } from '../store/store.js';
import { Instrumentation, type TelemetryOptions } from '../telemetry/instrumentation.js';
import { type Logger, silentLogger } from '../telemetry/logger.js';
import type { AgentModuleLoader } from './agent-loader.js';
import type { AgentToolConnector } from './agent-tools.js';
import { agentToolsRunner } from './agent-tools.js';
import { childSessionOf } from './child-session-of.js';
import { tokenSecret } from './continuation-token.js';
import { converse } from './conversations.js';
import { executeClaim } from './execute-run.js';
import { executeTree } from './execute-tree.js';
import { answerQuestion, decideApproval, principalOf } from './gate-decisions.js';
import { checkLeaseTtl, DEFAULT_LEASE_TTL_MS } from './lease-settings.js';
import { LiveBus } from './live-bus.js';
import { listPendingApprovals } from './pending-gates.js';
import { reapDeadLeases } from './reap-leases.js';
import { cancelRun, requireRun, retryRun } from './run-control.js';
import type { AnyRunKind } from './run-kind.js';
import type { RuntimeContext } from './runtime-context.js';
import { startTick } from './schedule-ticks.js';
import { ServedAgents, withChildAgents } from './served-agents.js';
import { requireSession } from './session-lookup.js';
import { DEFAULT_MAX_MESSAGE_BYTES, deliverMessage, startSession } from './sessions.js';
import { sampleStoreGauges } from './store-gauges.js';
import { streamSession } from './stream.js';
import { streamTree } from './stream-tree.js';
import type { Runtime, Worker } from './types.js';
import { runView, runViewIn, sessionView } from './views.js';
import { startWorker } from './worker.js';
import { newWorkerIdentity } from './worker-identity.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions extends TelemetryOptions {
  store: Store;
  /** The agents runs may name, by `agent.name`. */
  agents?: readonly Agent[] | ReadonlyMap<string, Agent>;
  /**
   * Loads agents from the module path a run recorded (`agentModuleLoader()`). With it, workers
   * also serve any run whose recorded module loads; without it, only `agents` (and the agents
   * reachable from them by handoff) are served.
   */
  loadAgentModule?: AgentModuleLoader;
  /** Largest message `start` and `deliver` accept, in UTF-8 bytes (default 1 MiB); larger is `message_too_large`. */
  maxMessageBytes?: number;
  /** Default lease TTL in ms (default 30 000; the CLI's `--lease-ttl` or `BATON_LEASE_TTL_MS`). */
  leaseTtlMs?: number;
  /**
   * Secret continuation tokens are derived from (default: random per runtime; the CLI's
   * `BATON_TOKEN_SECRET`). Processes serving one store should share it.
   */
  tokenSecret?: string | Uint8Array;
  /** Passed to every turn. */
  retry?: RunTurnOptions['retry'];
  clock?: RunTurnOptions['clock'];
  /** Prices added to the built-in table, for cost limits and `costUsd` (`BATON_PRICES` in the CLI). */
  prices?: RunTurnOptions['prices'];
  /** Admission invariants added to the built-in ones (e.g. `acyclicHandoffs`) and counters for metrics. */
  admission?: RunTurnOptions['admission'];
  /**
   * The run kinds this runtime executes; a later kind of the same name replaces an earlier one.
   * The `createRuntime` exported from `baton-runtime` puts the built-in kinds (`message`, `task`,
   * `exec`, `workspace`) first; this one has only those it is given.
   */
  kinds?: readonly AnyRunKind[];
  /**
   * Connects agents' `mcpServers` at run start. The `createRuntime` exported from `baton`
   * defaults it to the MCP client; without one, an agent with servers fails its run.
   */
  connectAgentTools?: AgentToolConnector;
  /**
   * The environment that variables named by users' own definitions are looked up in: model API
   * keys and base URLs (`OPENAI_API_KEY`...), what sandboxes and git see of the host. The
   * `createRuntime` exported from `baton-runtime` defaults it to the process environment; this
   * one to none.
   */
  env?: Environment;
  /**
   * Where the runtime reports what it could not record or recover from: a `run.failed` it could
   * not write, a lease renewal that failed, a run it could not hand back, a live-event reader
   * that threw. Silent by default; the CLI passes its JSON-lines logger.
   */
  logger?: Logger;
  /**
   * Decides approvals by rule before a person is asked: `'approve'` or `'deny'` is recorded with
   * `by: 'policy'`, `'ask'` waits for a person. Never consulted for `needsApproval: 'human'`.
   */
  approvals?: ApprovalPolicy;
  /**
   * Starts and tracks agents' background children (`asBackgroundTool`). The `createRuntime`
   * exported from `baton-runtime` gives the store's durable tasks; without it such a tool fails.
   */
  children?: RunTurnOptions['children'];
}

/**
 * The durable runtime over a store. The store stays the caller's: `close` stops this runtime's
 * workers and executions (handing their runs back) but does not close the store.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const agents = withChildAgents(agentMap(options.agents));
  const kinds = new Map((options.kinds ?? []).map((kind) => [kind.name, kind]));
  const env = options.env ?? {};
  const logger = options.logger ?? silentLogger;
  const context: RuntimeContext = {
    store: options.store,
    agents,
    loadAgentModule: options.loadAgentModule,
    served: new ServedAgents({
      agents,
      loadAgentModule: options.loadAgentModule,
      kinds: kinds.values(),
    }),
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    bus: new LiveBus(logger),
    leaseTtlMs:
      options.leaseTtlMs === undefined
        ? DEFAULT_LEASE_TTL_MS
        : checkLeaseTtl(options.leaseTtlMs, 'leaseTtlMs'),
    tokenSecret: tokenSecret(options.tokenSecret),
    executions: new Map(),
    kinds,
    env,
    logger,
    instrumentation: new Instrumentation(options),
    turnOptions: {
      env,
      ...(options.retry && { retry: options.retry }),
      ...(options.clock && { clock: options.clock }),
      ...(options.prices && { prices: options.prices }),
      ...(options.admission && { admission: options.admission }),
      ...(options.approvals && { approvals: options.approvals }),
      ...(options.children && { children: options.children }),
    },
    withAgentTools: agentToolsRunner(options.connectAgentTools),
  };
  if (options.metrics) sampleStoreGauges(options.metrics, context.store);
  const workers = new Set<Worker>();
  const shutdown = new AbortController();

  const runtime: Runtime = {
    store: context.store,
    agents: context.agents,
    start: (startOptions) => startSession(context, startOptions),
    deliver: (deliverOptions) => deliverMessage(context, deliverOptions),
    converse: (converseOptions) => converse(context, converseOptions),
    startTick: (tickOptions) => startTick(context, tickOptions),
    cancel: async (runId) => runView(await cancelRun(context, runId)),
    retry: async (runId) => runView(await retryRun(context, runId)),
    stream: (sessionId, { deliver, ...streamOptions } = {}) =>
      streamOptions.children === true
        ? // A tree interleaves its sources' events as it pulls them: none is delivered on its own.
          streamTree(
            (id, options) => streamSession(context, id, options),
            (event, parent) => childSessionOf(context.store, event, parent),
            sessionId,
            streamOptions,
          )
        : streamSession(context, sessionId, { ...streamOptions, ...(deliver && { deliver }) }),
    getSession: async (sessionId) => sessionView(context.store, await requireSession(context, sessionId)),
    async listSessions({ limit = 50, cursor }) {
      const page = await context.store.listSessions({ limit, ...(cursor !== undefined && { cursor }) });
      const items = await Promise.all(page.items.map((session) => sessionView(context.store, session)));
      return { items, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
    },
    getRun: async (runId) => runViewIn(context.store, await requireRun(context, runId)),
    listWorkers: () => context.store.listWorkers(),
    async listRuns(listOptions = {}) {
      const page = await context.store.listRuns({ ...listOptions, limit: listOptions.limit ?? 50 });
      return {
        items: await Promise.all(page.items.map((run) => runViewIn(context.store, run))),
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
      };
    },
    async execute(runId, executeOptions = {}) {
      const ttlMs = checkLeaseTtl(executeOptions.leaseTtlMs ?? context.leaseTtlMs, 'leaseTtlMs');
      const owner = newWorkerIdentity();
      const claimStartedAt = Date.now();
      const claimOnce = () => context.store.claimRun(owner, ttlMs, { runId });
      const claim =
        (await claimOnce()) ?? ((await reapDeadLeases(context, runId)) ? await claimOnce() : undefined);
      if (!claim) {
        const run = await requireRun(context, runId);
        if (run.status === 'running')
          throw new ConflictError(`run ${runId} is being executed by another worker`, 'run_busy');
        return runViewIn(context.store, run);
      }
      const signal = AbortSignal.any([
        shutdown.signal,
        ...(executeOptions.signal ? [executeOptions.signal] : []),
      ]);
      const { run: after } = await executeClaim(context, claim, {
        owner,
        ttlMs,
        signal,
        claimStartedAt,
        ...(executeOptions.drainGraceMs !== undefined && { drainGraceMs: executeOptions.drainGraceMs }),
      });
      return runViewIn(context.store, after ?? (await requireRun(context, runId)));
    },
    executeTree(runId, treeOptions = {}) {
      return executeTree(context, (id) => runtime.execute(id, treeOptions), runId, treeOptions.signal);
    },
    startWorker(workerOptions) {
      const worker = startWorker(context, workerOptions);
      workers.add(worker);
      // Bookkeeping only: a worker's failure is reported to whoever awaits its `done`.
      void worker.done.finally(() => workers.delete(worker)).catch(() => undefined);
      return worker;
    },
    async listApprovals(listOptions = {}) {
      const { limit = 50, ...rest } = listOptions;
      return listPendingApprovals(context.store, { ...rest, limit });
    },
    decide: (approvalId, decision) =>
      decideApproval(context, approvalId, {
        decision: decision.decision,
        by: decision.by ?? principalOf(decision.caller),
        ...(decision.reason !== undefined && { reason: decision.reason }),
        ...(decision.inputHash !== undefined && { inputHash: decision.inputHash }),
        ...(decision.channel !== undefined && { channel: decision.channel }),
        ...(decision.caller !== undefined && { caller: decision.caller }),
      }),
    answer: (requestId, answer, answerOptions = {}) =>
      answerQuestion(context, requestId, answer, principalOf(answerOptions.caller), answerOptions.caller),
    async close() {
      shutdown.abort();
      await Promise.all([...workers].map((worker) => worker.stop()));
    },
  };
  return runtime;
}

function agentMap(agents: RuntimeOptions['agents']): Map<string, Agent> {
  if (agents === undefined) return new Map();
  if (!Array.isArray(agents)) return new Map(agents as ReadonlyMap<string, Agent>);
  const map = new Map<string, Agent>();
  for (const agent of agents as readonly Agent[]) {
    if (map.has(agent.name))
      throw new UserError('duplicate_agent', `two agents are named ${JSON.stringify(agent.name)}`);
    map.set(agent.name, agent);
  }
  return map;
}
