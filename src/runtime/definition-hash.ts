import type { Agent } from '../core/agent.js';
import { agentDefinitionHash } from '../core/agent.js';
import { hashCanonical } from '../core/hash.js';
import type { RunRecord } from '../store/run-store.js';
import { type RunKindDefinitionContext, requireRunAgent } from './run-kind.js';

/** The definition hash of a run whose kind pins nothing more: its kind and agent name. */
export function kindDefinitionHash(run: Pick<RunRecord, 'kind' | 'agent'>): string {
  return hashCanonical({ kind: run.kind, agent: run.agent });
}

/** The definition hash of an agent as a run uses it: with the run's model instead of its own, when the run names one. */
function runAgentDefinitionHash(agent: Agent, model: string | undefined): string {
  return agentDefinitionHash(model === undefined ? agent : { ...agent, model });
}

/**
 * The definition hash of a kind that runs the run's agent with the run's `model` override
 * (message and workspace runs): a changed agent fails a resumed run with `definition_changed`.
 */
export async function agentRunDefinitionHash(
  context: RunKindDefinitionContext<{ model?: string | undefined }>,
): Promise<string> {
  return runAgentDefinitionHash(requireRunAgent(context), context.input.model);
}
