import type { Agent, AgentLimits } from '../../core/agent.js';
import type { AdmissionClamp } from '../../core/events.js';
import type { ActiveAgent } from '../agent-roster.js';

/**
 * The clamps admission applied in a run so far, rebuilt from its `admission.checked` events on
 * resume. Clamps only ever narrow: removed tools accumulate, a limit keeps its lowest value.
 */
export class AdmissionState {
  private readonly limits = new Map<string, AgentLimits>();
  private readonly removed = new Map<string, Set<string>>();

  /** Tools removed so far, by agent. */
  get removedTools(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.removed;
  }

  clone(): AdmissionState {
    const copy = new AdmissionState();
    copy.apply([...this.limits].map(([agent, limits]) => ({ invariant: '', agent, limits })));
    copy.apply(
      [...this.removed].map(([agent, tools]) => ({ invariant: '', agent, removeTools: [...tools] })),
    );
    return copy;
  }

  apply(clamps: readonly AdmissionClamp[]): void {
    for (const clamp of clamps) {
      if (clamp.removeTools !== undefined && clamp.removeTools.length > 0) {
        const tools = this.removed.get(clamp.agent) ?? new Set<string>();
        for (const name of clamp.removeTools) tools.add(name);
        this.removed.set(clamp.agent, tools);
      }
      if (clamp.limits !== undefined) {
        this.limits.set(clamp.agent, lowest(this.limits.get(clamp.agent) ?? {}, clamp.limits));
      }
    }
  }

  /** The agent's limits with every clamp applied. */
  limitsOf(agent: Agent): AgentLimits {
    return lowest(agent.limits, this.limits.get(agent.name) ?? {});
  }

  /** The prepared agent without the tools admission removed from it. */
  restrict(active: ActiveAgent): ActiveAgent {
    const removed = this.removed.get(active.agent.name);
    if (removed === undefined) return active;
    return {
      ...active,
      tools: new Map([...active.tools].filter(([name]) => !removed.has(name))),
      definitions: active.definitions.filter((definition) => !removed.has(definition.name)),
    };
  }
}

/** Field by field, the lower of two sets of limits (an absent field is no limit). */
function lowest(a: Readonly<AgentLimits>, b: Readonly<AgentLimits>): AgentLimits {
  const merged: AgentLimits = { ...a };
  for (const [key, value] of Object.entries(b) as [keyof AgentLimits, number | undefined][]) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] = current === undefined ? value : Math.min(current, value);
  }
  return merged;
}
