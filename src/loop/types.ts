import type { Agent, ModelSpec } from '../core/agent.js';
import type { ChildTasks } from '../core/child-tasks.js';
import type { Environment } from '../core/environment.js';
import type { ErrorBody } from '../core/errors.js';
import type { AdmissionClamp, Usage } from '../core/events.js';
import type { ApprovalPolicy } from '../core/gates.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { AnyTool, ToolContext } from '../core/tool.js';
import type { Clock } from '../model/clock.js';
import type { PriceTable } from '../model/pricing.js';
import type { AdmissionSettings } from './admission/check-admission.js';
import type { ChildRuns } from './children.js';
import type { Journal } from './journal.js';
import type { Waiting } from './run-tool-calls.js';

/** Options of `runTurn`: one agent turn against a journal. */
export interface RunTurnOptions {
  agent: Agent;
  journal: Journal;
  /** Overrides the model of every agent in the turn (CLI `--model`). */
  model?: ModelSpec;
  /** Cancels the turn; tools and the model call see it. */
  signal?: AbortSignal;
  /**
   * Passed to every tool's context: the caller identities, and the initial context of a log
   * without `session.started` (the log's own context wins; `context.updated` events apply on top).
   */
  toolContext?: { context?: Record<string, unknown>; auth?: ToolContext['auth'] };
  /** Added to the root agent's tools (e.g. MCP tools). */
  extraTools?: AnyTool[];
  /** Retries and attempt timeouts of every model call; an agent's own `retry` wins field by field. */
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Prices added to the built-in table (the CLI reads them from the `BATON_PRICES` file). */
  prices?: PriceTable;
  /** Where models named by string find their API keys and base URLs (`OPENAI_API_KEY`...); default none. */
  env?: Environment;
  /**
   * Active time the run already spent in earlier attempts, in ms: it counts against the
   * agent's `limits.timeoutMs`, so a run that keeps crashing still times out.
   */
  activeMsBefore?: number;
  /** Invariants checked (after the built-in ones) at the run's start and before every handoff, and counters. */
  admission?: AdmissionSettings;
  /** Decides approvals by rule before a person is asked (docs/hitl.md). */
  approvals?: ApprovalPolicy;
  /** Run ids from the session's root run to this one (default: this run only). */
  runPath?: string[];
  /**
   * Text added to the active agent's instructions, asked for before every model call (the
   * workspace kind's peer sessions, `awareness: 'workspace'`); nothing when it returns undefined.
   */
  instructionsBlock?: () => Promise<string | undefined>;
  /** Background children (`agent.asBackgroundTool()`): without it, such a tool fails and the turn never idle-yields. */
  children?: ChildTasks;
  /** Where agents used as tools run their children (the runtime's child sessions). */
  childRuns?: ChildRuns;
  /**
   * Clamps a child run inherits from the admission its parent ran before starting it (its
   * limits lowered to the parent's remaining budget); applied before the run's own admission.
   */
  inheritedClamps?: readonly AdmissionClamp[];
  /**
   * Commits the run's successful end with the turn's answer (`run.completed`), on condition that
   * nothing was appended since the turn last looked at the log; false when something was. Given,
   * an answer's events are staged for that commit, so the last step and the run's end are one
   * transaction (docs/events.md). The runtime passes it to a session's message runs.
   */
  commitAnswer?: (answer: { text: string; usage: Usage }) => Promise<boolean>;
}

/** The turn options a runtime passes to every turn it runs, whatever the run kind. */
export type TurnSettings = Pick<
  RunTurnOptions,
  'retry' | 'clock' | 'prices' | 'env' | 'admission' | 'approvals' | 'children'
>;

/** How a turn ended; the runtime maps it to `run.completed` / `run.failed` / `run.cancelled`. */
export type TurnOutcome =
  | { status: 'succeeded'; text: string; usage: Usage; steps: number }
  | { status: 'failed'; error: ErrorBody; usage: Usage; steps: number }
  | { status: 'cancelled'; usage: Usage; steps: number }
  | { status: 'deferred'; retryAt: number; error: ErrorBody; usage: Usage; steps: number }
  /** A tool call waits for an approval or an answer: the runtime parks the run (docs/hitl.md). */
  | { status: 'waiting'; waiting: Waiting; usage: Usage; steps: number };
