import type { Agent } from '../core/agent.js';
import { runTurn } from '../loop/run-turn.js';
import type { RunTurnOptions, TurnOutcome } from '../loop/types.js';
import type { RunKindContext } from './run-kind.js';

/** What a kind chooses about its agent's turn; the journal, signal, tools and settings come from its context. */
export type KindTurnOptions = Pick<
  RunTurnOptions,
  | 'model'
  | 'toolContext'
  | 'extraTools'
  | 'activeMsBefore'
  | 'instructionsBlock'
  | 'runPath'
  | 'inheritedClamps'
  | 'commitAnswer'
>;

/**
 * Runs `agent`'s turn on a kind's run: on its journal, under its signal, with the runtime's turn
 * settings and the agent's MCP tools after the kind's own (`extraTools`). An MCP server that does
 * not start throws before the turn, so the run fails saying which server.
 */
export function runKindTurn(
  context: RunKindContext<unknown>,
  agent: Agent,
  options: KindTurnOptions = {},
): Promise<TurnOutcome> {
  const { journal, signal } = context;
  const { extraTools: own = [], ...rest } = options;
  return context.withAgentTools(agent, signal, (mcpTools) => {
    const extraTools = [...own, ...mcpTools];
    return runTurn({
      ...rest,
      agent,
      journal,
      signal,
      childRuns: context.children,
      ...(extraTools.length > 0 && { extraTools }),
      ...context.turnOptions,
    });
  });
}
