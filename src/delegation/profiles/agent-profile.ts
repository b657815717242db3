import type { Agent } from '../../core/agent.js';
import { NotFoundError } from '../../core/errors.js';
import { runAgentTurn } from '../agent-turn.js';
import { parseOrThrow } from '../parse-args.js';
import type { AgentArgs } from '../profile-args.js';
import { agentArgsSchema } from '../profile-args.js';
import type { TaskProfile } from './task-profile.js';

/**
 * `agent:<name>`: any loaded agent answers the message. The turn runs on the task run's own
 * journal, so a restarted process resumes it from its last committed step.
 */
export function agentProfile(agentName: string): TaskProfile {
  const loadedAgent = (loaded: ReadonlyMap<string, Agent>): Agent => {
    const agent = loaded.get(agentName);
    if (!agent) throw new NotFoundError('agent', agentName);
    return agent;
  };
  return {
    name: `agent:${agentName}`,
    agentName,
    parseArgs: (args) => parseOrThrow(agentArgsSchema, args),
    prompt: (args) => (args as AgentArgs).message,
    agents: (_args, loaded) => [loadedAgent(loaded)],
    async run(context) {
      const agent = loadedAgent(context.agents);
      await context.progress({ iteration: 1, phase: 'agent' });
      const { text, usage } = await runAgentTurn({
        agent,
        journal: context.journal,
        signal: context.signal,
        turnOptions: context.turnOptions,
        withAgentTools: context.withAgentTools,
        awaitGates: context.awaitGates,
      });
      return { result: { text }, usage };
    },
  };
}
