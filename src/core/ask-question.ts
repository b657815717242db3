import { z } from 'zod';
import type { AnyTool } from './tool.js';
import { tool } from './tool.js';

/** The name the model knows the question tool by. */
export const ASK_QUESTION_TOOL = 'ask_question';

const QUESTION_BRAND = Symbol.for('baton.askQuestion');

const questionInput = z.object({
  question: z.string().min(1).max(4_000).describe('What to ask the person'),
  choices: z.array(z.string().min(1).max(500)).min(1).max(50).optional().describe('The allowed answers'),
  schema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('A JSON Schema the answer must match (when there are no choices)'),
});

/** The input the model gives `ask_question`. */
export type QuestionInput = z.infer<typeof questionInput>;

/**
 * The built-in `ask_question` tool: the model asks a person `{ question, choices?, schema? }`;
 * the run waits (`input.requested`) until an answer that matches the choices or the schema is
 * given (`input.provided`), which becomes the tool's result. The loop answers it from the log:
 * `execute` is never called.
 */
export function askQuestion(): AnyTool {
  const defined = tool({
    name: ASK_QUESTION_TOOL,
    description:
      'Ask the person you are working for a question and wait for the answer. Give choices when the answer is one of a few.',
    inputSchema: questionInput,
    execute: () => {
      throw new Error('ask_question is answered by a person, never executed');
    },
    idempotent: true,
  });
  return Object.freeze({ ...defined, [QUESTION_BRAND]: true });
}

/** Whether a tool is the built-in question tool (from any copy of Baton's modules). */
export function isQuestionTool(candidate: AnyTool): boolean {
  return (candidate as unknown as Record<symbol, unknown>)[QUESTION_BRAND] === true;
}
