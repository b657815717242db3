import { z } from 'zod';
import { runTurn } from '../loop/run-turn.js';
import { runAgentDefinitionHash } from '../runtime/definition-hash.js';
import { type RunKind, requireRunAgent } from '../runtime/run-kind.js';

/** The input of a `message` run: the message that started it (the log holds it too) and a model override. */
const messageRunInputSchema = z.looseObject({
  message: z.string().optional(),
  /** Overrides the agent's model for the run (`provider:model-id`); part of the definition hash. */
  model: z.string().optional(),
});

type MessageRunInput = z.infer<typeof messageRunInputSchema>;

/**
 * The `message` kind: a session's runs that answer its messages (`start`, `deliver` and the
 * follow-ups of unread messages). The run's agent takes one turn through the loop with the
 * session's context and the agent's MCP tools; a resumed attempt rebuilds the transcript from
 * the log and continues at the first step that did not complete. The definition hash is the
 * agent's, with the run's model, so a changed agent fails a resumed run with `definition_changed`.
 */
export function messageKind(): RunKind<MessageRunInput> {
  return {
    name: 'message',
    inputSchema: messageRunInputSchema,
    claim: 'agent',
    definitionHash: async (context) => runAgentDefinitionHash(requireRunAgent(context), context.input.model),
    async execute(context) {
      const agent = requireRunAgent(context);
      const { journal, signal, input } = context;
      const session = await context.store.getSession(context.run.sessionId);
      // An MCP server that does not start throws before the turn: the run fails saying which server.
      return context.withAgentTools(agent, signal, (extraTools) =>
        runTurn({
          agent,
          journal,
          signal,
          ...(input.model !== undefined && { model: input.model }),
          ...(session && { toolContext: { context: session.context, auth: session.auth } }),
          ...(extraTools.length > 0 && { extraTools }),
          ...context.turnOptions,
          activeMsBefore: context.activeMsBefore,
        }),
      );
    },
  };
}
