import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import type { Usage } from '../core/events.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import type { ChildRuns } from '../loop/children.js';
import type { Journal } from '../loop/journal.js';
import type { TurnOutcome, TurnSettings } from '../loop/types.js';
import type { RunRecord, SessionRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WithAgentTools } from './agent-tools.js';

/**
 * Who executes a run of a kind, which decides the workers that claim it:
 * - `agent`: the agent the run names (message and workspace runs). A worker claims the run only
 *   when it serves that agent, and the runtime resolves the agent before the kind sees the run;
 * - `kind`: the kind itself, which brings its own agents or none (tasks, governed `exec`). Any
 *   worker that has the kind claims the run.
 *
 * Later criteria (a runner pool, a person's decision) narrow these rather than add kinds of claim.
 */
export type RunKindClaim = 'agent' | 'kind';

/** What a kind's `definitionHash` may read: the run, its parsed input and where its agents come from. */
export interface RunKindDefinitionContext<Input = Record<string, unknown>> {
  run: RunRecord;
  input: Input;
  /** The agent the run names, resolved by the runtime for kinds claimed by `agent`; else undefined. */
  agent: Agent | undefined;
  store: Store;
  /** The agents the runtime was given, by name. */
  agents: ReadonlyMap<string, Agent>;
}

/** What a kind's `execute` (or `resume`) receives: the claimed run, its fenced journal and the runtime's parts. */
export interface RunKindContext<Input = Record<string, unknown>> extends RunKindDefinitionContext<Input> {
  /** Commits under the run's lease; `run.started` is already committed, the outcome is committed by the runtime. */
  journal: Journal;
  /** The run's session record, read once at the attempt's start (the journal's first load uses the same read). */
  session(): Promise<SessionRecord | undefined>;
  /** Aborted on cancel, shutdown or a lost lease. */
  signal: AbortSignal;
  /** Passed through to every agent turn (retry policy, clock, prices). */
  turnOptions: TurnSettings;
  /** Active time earlier attempts spent, in ms: an agent turn counts it against `limits.timeoutMs`. */
  activeMsBefore: number;
  /**
   * Runs work with an agent's MCP tools connected: the one path by which every kind's agent
   * turns get them, so no kind can drop an agent's tools.
   */
  withAgentTools: WithAgentTools;
  /** The runtime's `env`: what git, sandboxes and models see of the host. */
  env: Environment;
  /** Child sessions for the run's agents used as tools (docs/multi-agent.md). */
  children: ChildRuns;
  /**
   * Commits the run's successful end with an answer, on condition that nothing was appended
   * since the journal last looked; false when something was (`RunTurnOptions.commitAnswer`).
   * For a kind whose turn's answer is the run's result, to pass to that turn: the last step and
   * the run's end then commit together. Once it returned true the run has succeeded and the
   * kind's outcome is not committed, so a kind that does more after its turn must not use it.
   */
  commitAnswer: (answer: { text: string; usage: Usage }) => Promise<boolean>;
}

/**
 * One kind of run (`RunRecord.kind`), registered at the composition root with
 * `createRuntime({ kinds })`. The runtime owns everything around it — claims, leases, fencing,
 * attempts, `run.started`, committing the outcome as `run.completed` / `run.failed` /
 * `run.cancelled`, deferral — and knows no kind: message runs, delegated tasks, governed
 * commands and workspace runs are all kinds, and so will be approvals, handoffs, schedule ticks
 * and eval cases.
 *
 * A waiting or resumed run is only rows in the log (docs/architecture.md): whatever a kind needs
 * to continue, it finds in its journal and its own records, never in memory of an earlier attempt.
 */
export interface RunKind<Input = Record<string, unknown>> {
  /** The `kind` of the runs it executes; one kind of each name per runtime. */
  readonly name: string;
  /** Checks `run.input` before anything runs; a run whose input does not parse fails (`invalid_request`). */
  readonly inputSchema: StandardSchemaV1<unknown, Input>;
  readonly claim: RunKindClaim;
  /**
   * For a kind claimed by `kind` whose executor needs particular agents (a task of profile
   * `agent:<name>` needs that agent): the run agents (`run.agent`) it can execute with the
   * runtime's agents. When given, a worker claims only the kind's runs naming one of them and
   * leaves the rest queued for a worker that has their agent.
   */
  claimAgents?(agents: ReadonlyMap<string, Agent>): readonly string[];
  /**
   * The hash of what a resumed attempt must find unchanged, e.g. the definition of the agent the
   * run works with. It is recorded with the first `run.started`; a later attempt whose hash
   * differs fails with `definition_changed` before the kind runs.
   */
  definitionHash(context: RunKindDefinitionContext<Input>): Promise<string>;
  /** Executes the run and says how it ended; the runtime commits the outcome. */
  execute(context: RunKindContext<Input>): Promise<TurnOutcome>;
  /**
   * Continues a run an earlier attempt started (after a crash, a lost lease, a shutdown that
   * handed it back, a deferred retry). Without it `execute` runs again, and finds the earlier
   * attempt's events in its journal (an agent turn rebuilds its transcript from them).
   */
  resume?(context: RunKindContext<Input>): Promise<TurnOutcome>;
}

/**
 * The agent of a run whose kind is claimed by `agent` (the runtime resolved it before the kind
 * runs); a `UserError` for a kind registered otherwise that asks for one.
 */
export function requireRunAgent(context: Pick<RunKindDefinitionContext<unknown>, 'run' | 'agent'>): Agent {
  if (context.agent) return context.agent;
  throw new UserError('unknown_agent', `no agent named ${JSON.stringify(context.run.agent)} is registered`);
}

/** A run kind with its input type erased, as the runtime holds them. */
// biome-ignore lint/suspicious/noExplicitAny: kinds of any input type live in one registry.
export type AnyRunKind = RunKind<any>;
