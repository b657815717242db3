import type { Agent } from '../../core/agent.js';
import type { AdmissionClamp, AdmissionViolation, EventDataByType } from '../../core/events.js';
import { handoffToolName } from '../handoffs.js';
import type { AdmissionState } from './admission-state.js';
import type { AdmissionContext, AdmissionNode, AgentGraph, ClampPatch, Invariant } from './invariant.js';

/** Admission checks, clamps and rejects counted over a runtime's life, for metrics. */
export interface AdmissionCounters {
  checks: number;
  clamps: number;
  rejects: number;
}

/** Fresh counters to pass as `admission.counters`; the runtime increments them. */
export function admissionCounters(): AdmissionCounters {
  return { checks: 0, clamps: 0, rejects: 0 };
}

/** A runtime's admission setup: invariants added to the built-in ones, and where to count. */
export interface AdmissionSettings {
  invariants?: readonly Invariant[];
  counters?: AdmissionCounters;
}

function graphOf(active: Agent, state: AdmissionState): AgentGraph {
  const nodes = new Map<string, AdmissionNode>();
  const visit = (agent: Agent): void => {
    if (nodes.has(agent.name)) return;
    const removed = state.removedTools.get(agent.name);
    const tools = [...agent.tools.map((entry) => entry.name), ...agent.handoffs.map(handoffToolName)];
    nodes.set(agent.name, {
      agent,
      name: agent.name,
      tools: tools.filter((name) => !removed?.has(name)),
      limits: state.limitsOf(agent),
      handoffs: agent.handoffs.map((target) => target.name),
    });
    for (const target of agent.handoffs) visit(target);
  };
  visit(active);
  return { active: active.name, nodes };
}

/** The part of a patch that narrows: tools the agent still has, limits below its current ones. */
function narrowing(invariant: string, patch: ClampPatch, graph: AgentGraph): AdmissionClamp | undefined {
  const node = graph.nodes.get(patch.agent);
  if (node === undefined) return undefined;
  const removeTools = (patch.removeTools ?? []).filter((name) => node.tools.includes(name));
  const limits = Object.fromEntries(
    Object.entries(patch.limits ?? {}).filter(([key, value]) => {
      const current = node.limits[key as keyof typeof node.limits];
      return typeof value === 'number' && value > 0 && (current === undefined || value < current);
    }),
  );
  if (removeTools.length === 0 && Object.keys(limits).length === 0) return undefined;
  return {
    invariant,
    agent: patch.agent,
    ...(removeTools.length > 0 && { removeTools }),
    ...(Object.keys(limits).length > 0 && { limits }),
  };
}

/**
 * Checks the graph reachable from `active` with every invariant in order; each sees the clamps
 * of those before it. Clamps are reduced to what actually narrows (so a clamp can never widen).
 * An invariant that throws rejects, naming itself. The caller commits the verdict and applies
 * its clamps to `state`; `state` itself is not changed here.
 */
export function checkAdmission(
  invariants: readonly Invariant[],
  active: Agent,
  state: AdmissionState,
  context: Omit<AdmissionContext, 'removedTools'>,
  counters?: AdmissionCounters,
): EventDataByType['admission.checked'] {
  const working = state.clone();
  const clamps: AdmissionClamp[] = [];
  const violations: AdmissionViolation[] = [];
  for (const invariant of invariants) {
    const graph = graphOf(active, working);
    let verdict: ReturnType<Invariant['check']>;
    try {
      verdict = invariant.check(graph, { ...context, removedTools: working.removedTools });
    } catch (error) {
      verdict = { reject: `the invariant failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if ('reject' in verdict) violations.push({ invariant: invariant.name, message: verdict.reject });
    else if ('clamp' in verdict) {
      const applied = verdict.clamp.flatMap((patch) => narrowing(invariant.name, patch, graph) ?? []);
      working.apply(applied);
      clamps.push(...applied);
    }
  }
  if (counters !== undefined) {
    counters.checks += 1;
    counters.clamps += clamps.length;
    if (violations.length > 0) counters.rejects += 1;
  }
  return { ok: violations.length === 0, clamps, violations };
}

/** The message a rejected run fails with: which invariants, and why. */
export function rejectionMessage(violations: readonly AdmissionViolation[]): string {
  return `admission rejected by ${violations.map((entry) => `${entry.invariant}: ${entry.message}`).join('; ')}`;
}
