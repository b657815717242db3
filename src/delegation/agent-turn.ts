import type { Agent } from '../core/agent.js';
import type { ErrorCode } from '../core/error-codes.js';
import { BatonError, CancelledError } from '../core/errors.js';
import type { Usage } from '../core/events.js';
import type { AnyTool } from '../core/tool.js';
import type { Journal } from '../loop/journal.js';
import type { Waiting } from '../loop/run-tool-calls.js';
import { runTurn } from '../loop/run-turn.js';
import type { TurnOutcome, TurnSettings } from '../loop/types.js';
import type { WithAgentTools } from '../runtime/agent-tools.js';

/** Options of {@link runAgentTurn}. */
export interface AgentTurnOptions {
  agent: Agent;
  journal: Journal;
  signal: AbortSignal;
  extraTools?: AnyTool[];
  turnOptions?: TurnSettings;
  /** Connects the agent's MCP servers for the turn. */
  withAgentTools: WithAgentTools;
  /**
   * Waits for the approvals and questions a turn stopped on; true when all were settled, and the
   * turn then resumes. Without it (a turn on an in-memory journal nobody can decide on) such a
   * turn fails at once with `human_required`.
   */
  awaitGates?: (waiting: Waiting) => Promise<boolean>;
}

/** A finished agent turn: its final text and usage. */
export interface AgentTurnResult {
  text: string;
  usage: Usage;
}

/** A turn that did not succeed, carrying its usage so that the task's cost stays right. */
export class AgentTurnError extends BatonError {
  readonly usage: Usage;

  constructor(code: ErrorCode, message: string, usage: Usage) {
    super(code, message);
    this.usage = usage;
  }
}

/**
 * Runs one agent turn for a task; anything but success throws: a turn that ran and did not
 * succeed as {@link AgentTurnError}, a cancel as `CancelledError`, servers that did not connect
 * as their own error (`mcp_server_failed`). A turn that stops on approvals or questions waits
 * for them (`awaitGates`) and resumes from its log; unanswered, it fails with `human_required`.
 */
export async function runAgentTurn(options: AgentTurnOptions): Promise<AgentTurnResult> {
  for (;;) {
    const outcome = await options.withAgentTools(options.agent, options.signal, (mcpTools) => {
      const extraTools = [...(options.extraTools ?? []), ...mcpTools];
      return runTurn({
        agent: options.agent,
        journal: options.journal,
        signal: options.signal,
        ...(extraTools.length > 0 && { extraTools }),
        ...options.turnOptions,
      });
    });
    if (outcome.status !== 'waiting' || options.signal.aborted) return settle(options, outcome);
    if (!(await options.awaitGates?.(outcome.waiting))) return settle(options, outcome);
  }
}

function settle(options: AgentTurnOptions, outcome: TurnOutcome): AgentTurnResult {
  switch (outcome.status) {
    case 'succeeded':
      return { text: outcome.text, usage: outcome.usage };
    case 'cancelled':
      throw new CancelledError(`agent ${options.agent.name} was cancelled`);
    case 'failed':
    case 'deferred':
      // A task cannot park for a long Retry-After inside its run: it fails and says why.
      throw new AgentTurnError(
        outcome.error.code,
        `agent ${options.agent.name}: ${outcome.error.message}`,
        outcome.usage,
      );
    case 'waiting':
      if (options.signal.aborted) throw new CancelledError(`agent ${options.agent.name} was cancelled`);
      // A task's turn cannot park (its run is one call of the profile): it waited as long as it may.
      throw new AgentTurnError(
        'human_required',
        options.awaitGates === undefined
          ? `agent ${options.agent.name} asked for an approval or an answer, which this turn cannot wait for`
          : `agent ${options.agent.name} asked for an approval or an answer that nobody gave before it expired`,
        outcome.usage,
      );
  }
}
