import type { Agent } from '../core/agent.js';
import type { AnyTool } from '../core/tool.js';
import { MemoryJournal } from '../loop/memory-journal.js';
import type { TurnSettings } from '../loop/types.js';
import type { WithAgentTools } from '../runtime/agent-tools.js';
import type { AgentTurnResult } from './agent-turn.js';
import { runAgentTurn } from './agent-turn.js';

/** Options of {@link runEphemeralTurn}. */
export interface EphemeralTurnOptions {
  agent: Agent;
  prompt: string;
  signal: AbortSignal;
  extraTools?: AnyTool[];
  turnOptions?: TurnSettings;
  /** Connects the agent's MCP servers for the turn, as for any turn. */
  withAgentTools: WithAgentTools;
}

/**
 * Runs a one-message agent turn on an in-memory journal: for variants and reviews, whose work a
 * resumed task redoes from the start (docs/delegation.md, "Durability").
 */
export async function runEphemeralTurn(options: EphemeralTurnOptions): Promise<AgentTurnResult> {
  const journal = new MemoryJournal();
  await journal.append({ type: 'message.received', data: { role: 'user', text: options.prompt } });
  return runAgentTurn({
    agent: options.agent,
    journal,
    signal: options.signal,
    withAgentTools: options.withAgentTools,
    ...(options.extraTools && { extraTools: options.extraTools }),
    ...(options.turnOptions && { turnOptions: options.turnOptions }),
  });
}
