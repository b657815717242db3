import type { Agent, AgentLimits } from '../../core/agent.js';
import { UserError } from '../../core/errors.js';

/** One agent of the graph as admission sees it: its limits and tools after earlier clamps. */
export interface AdmissionNode {
  readonly agent: Agent;
  readonly name: string;
  readonly tools: readonly string[];
  readonly limits: Readonly<AgentLimits>;
  /** Names of the agents it may hand off to. */
  readonly handoffs: readonly string[];
}

/** The agents reachable from the active agent through handoffs, by name. */
export interface AgentGraph {
  /** The agent about to become active (the starting agent at run start, the target at a handoff). */
  readonly active: string;
  readonly nodes: ReadonlyMap<string, AdmissionNode>;
}

/** Where the check happens and what bounds it. */
export interface AdmissionContext {
  readonly point: 'run.start' | 'handoff' | 'child';
  /** The run's starting agent: its limits are the run's. */
  readonly starting: string;
  /** The agent handing off, at a handoff. */
  readonly from?: string;
  /** The limits no agent of the graph may exceed: the run's (its starting agent's, after clamps). */
  readonly ceiling: Readonly<AgentLimits>;
  /** Tools earlier admissions of this run removed, by agent. */
  readonly removedTools: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A monotone patch of one agent: tools removed and limits lowered (anything else is dropped). */
export interface ClampPatch {
  agent: string;
  removeTools?: string[];
  limits?: AgentLimits;
}

/** An invariant's answer: the graph is fine, is fine once patched, or must not run. */
export type InvariantVerdict = { ok: true } | { clamp: ClampPatch[] } | { reject: string };

/** A named check of the agent graph (see `defineInvariant`). */
export interface Invariant {
  readonly name: string;
  check(graph: AgentGraph, context: AdmissionContext): InvariantVerdict;
}

/**
 * Defines an admission invariant, run at a run's start and before every handoff. `check` must be
 * synchronous and pure: it sees only the graph and the context, so the same graph gets the same
 * verdict on every worker.
 */
export function defineInvariant(options: Invariant): Invariant {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new UserError('invalid_agent', 'an invariant needs a non-empty name');
  }
  if (typeof options.check !== 'function') {
    throw new UserError('invalid_agent', `invariant ${options.name}: check must be a function`);
  }
  return Object.freeze({ name: options.name, check: options.check });
}
