import type { Agent, InstructionsContext } from '../core/agent.js';
import { errorMessage, UserError } from '../core/errors.js';

/**
 * The agent's system prompt for the next model call: its text, or what its instructions
 * function makes of the context. A function that throws or returns no text fails the run
 * saying which agent, as any other mistake in an agent's definition does. Text is returned as
 * is, not as a promise, and `context` is only asked for by a function: most agents' instructions
 * are text, and this runs before every model call.
 */
export function resolveInstructions(
  agent: Agent,
  context: () => InstructionsContext,
): string | Promise<string> {
  const { instructions } = agent;
  return typeof instructions === 'string'
    ? instructions
    : dynamicInstructions(agent, instructions, context());
}

async function dynamicInstructions(
  agent: Agent,
  instructions: Exclude<Agent['instructions'], string>,
  context: InstructionsContext,
): Promise<string> {
  let text: unknown;
  try {
    text = await instructions(context);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      'invalid_agent',
      `agent ${agent.name}: its instructions function threw: ${errorMessage(error)}`,
    );
  }
  if (typeof text !== 'string') {
    throw new UserError(
      'invalid_agent',
      `agent ${agent.name}: its instructions function must return a string`,
    );
  }
  return text;
}
