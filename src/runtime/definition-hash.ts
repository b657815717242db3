import type { Agent } from '../core/agent.js';
import { agentDefinitionHash } from '../core/agent.js';
import { hashCanonical } from '../core/hash.js';
import type { RunRecord } from '../store/store.js';

/** The definition hash of a run whose kind pins nothing more: its kind and agent name. */
export function kindDefinitionHash(run: Pick<RunRecord, 'kind' | 'agent'>): string {
  return hashCanonical({ kind: run.kind, agent: run.agent });
}

/** The definition hash of an agent as a run uses it: with the run's model instead of its own, when the run names one. */
export function runAgentDefinitionHash(agent: Agent, model: string | undefined): string {
  return agentDefinitionHash(model === undefined ? agent : { ...agent, model });
}
