import { z } from 'zod';
import type { AdmissionClamp } from '../core/events.js';
import { agentRunDefinitionHash } from '../runtime/definition-hash.js';
import { runKindTurn } from '../runtime/kind-turn.js';
import { type RunKind, requireRunAgent } from '../runtime/run-kind.js';

/** The input of a `message` run: the message that started it (the log holds it too) and a model override. */
const messageRunInputSchema = z.looseObject({
  message: z.string().optional(),
  /** Overrides the agent's model for the run (`provider:model-id`); part of the definition hash. */
  model: z.string().optional(),
  /** A child run's: run ids from the root run to its parent. */
  runPath: z.array(z.string()).optional(),
  /** A child run's: the clamps of the admission its parent ran before starting it. */
  clamps: z.array(z.looseObject({ invariant: z.string(), agent: z.string() })).optional(),
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
    definitionHash: agentRunDefinitionHash,
    async execute(context) {
      const { input } = context;
      const session = await context.session();
      return runKindTurn(context, requireRunAgent(context), {
        ...(input.model !== undefined && { model: input.model }),
        // The context is rebuilt from the log by the turn itself; the row holds only the initial one.
        ...(session && { toolContext: { auth: session.auth } }),
        activeMsBefore: context.activeMsBefore,
        runPath: [...(input.runPath ?? []), context.run.id],
        ...(input.clamps !== undefined && { inheritedClamps: input.clamps as AdmissionClamp[] }),
        // The turn's answer is the run's result, and no work of the kind follows it: they commit
        // together.
        commitAnswer: context.commitAnswer,
      });
    },
  };
}
