import type { AgentLimits } from '../../core/agent.js';
import type { ClampPatch, Invariant } from './invariant.js';
import { defineInvariant } from './invariant.js';

/** Some reachable agent hands off to nobody, so the conversation can end with an owner. */
export const finalOwner: Invariant = defineInvariant({
  name: 'finalOwner',
  check(graph) {
    for (const node of graph.nodes.values()) if (node.handoffs.length === 0) return { ok: true };
    return {
      reject: `every agent reachable from ${graph.active} hands off to another: none can own the answer`,
    };
  },
});

const LIMIT_KEYS = [
  'maxSteps',
  'maxTokens',
  'maxCostUsd',
  'timeoutMs',
  'maxHandoffs',
  'maxIterations',
] as const;

/**
 * No agent's limits exceed the run's: an agent's limits count the run's totals while it is
 * active, so one above the ceiling is lowered to it.
 */
export const budgetCeiling: Invariant = defineInvariant({
  name: 'budgetCeiling',
  check(graph, context) {
    const clamps: ClampPatch[] = [];
    for (const node of graph.nodes.values()) {
      if (node.name === context.starting) continue;
      const limits: AgentLimits = {};
      for (const key of LIMIT_KEYS) {
        const own = node.limits[key];
        const ceiling = context.ceiling[key];
        if (own !== undefined && ceiling !== undefined && own > ceiling) limits[key] = ceiling;
      }
      if (Object.keys(limits).length > 0) clamps.push({ agent: node.name, limits });
    }
    return clamps.length === 0 ? { ok: true } : { clamp: clamps };
  },
});

/** No agent keeps a tool an earlier admission of the run removed from another agent. */
export const toolPermission: Invariant = defineInvariant({
  name: 'toolPermission',
  check(graph, context) {
    const removed = new Set<string>();
    for (const tools of context.removedTools.values()) for (const name of tools) removed.add(name);
    const clamps: ClampPatch[] = [];
    for (const node of graph.nodes.values()) {
      const gained = node.tools.filter((name) => removed.has(name));
      if (gained.length > 0) clamps.push({ agent: node.name, removeTools: gained });
    }
    return clamps.length === 0 ? { ok: true } : { clamp: clamps };
  },
});

/** Opt-in: handoffs never lead back to an agent already on the path (no ping-pong between agents). */
export const acyclicHandoffs: Invariant = defineInvariant({
  name: 'acyclicHandoffs',
  check(graph) {
    const done = new Set<string>();
    const path: string[] = [];
    const cycleFrom = (name: string): string[] | undefined => {
      const at = path.indexOf(name);
      if (at >= 0) return [...path.slice(at), name];
      if (done.has(name)) return undefined;
      path.push(name);
      for (const next of graph.nodes.get(name)?.handoffs ?? []) {
        const cycle = cycleFrom(next);
        if (cycle !== undefined) return cycle;
      }
      path.pop();
      done.add(name);
      return undefined;
    };
    const cycle = cycleFrom(graph.active);
    return cycle === undefined ? { ok: true } : { reject: `handoffs form a cycle: ${cycle.join(' → ')}` };
  },
});

/** The invariants every run is checked against. */
export const DEFAULT_INVARIANTS: readonly Invariant[] = [finalOwner, budgetCeiling, toolPermission];
