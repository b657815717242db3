import type { Agent } from '../core/agent.js';
import type { Usage } from '../core/events.js';
import type { AnyTool } from '../core/tool.js';
import type { TurnSettings } from '../loop/types.js';
import type { WithAgentTools } from '../runtime/agent-tools.js';
import { runEphemeralTurn } from './ephemeral-turn.js';
import { parseJsonAnswer } from './json-answer.js';
import type { Review } from './winner.js';

const MAX_PATCH_CHARS = 60_000;

/** Reads a reviewer's JSON answer; anything unreadable is a non-approval, never an exception. */
export function readReview(text: string): Review {
  const value = parseJsonAnswer(text);
  const readiness = typeof value?.readiness === 'number' ? Math.min(1, Math.max(0, value.readiness)) : 0;
  if (!value || typeof value.approved !== 'boolean') {
    return {
      approved: false,
      recommendation: 'reject',
      readiness: 0,
      notes: 'the reviewer did not answer with JSON { approved, recommendation, readiness, notes }',
    };
  }
  return {
    approved: value.approved,
    recommendation: typeof value.recommendation === 'string' ? value.recommendation : '',
    readiness,
    notes: typeof value.notes === 'string' ? value.notes : '',
  };
}

/** Asks the reviewer agent about one candidate patch. */
export async function reviewPatch(options: {
  reviewer: Agent;
  goal: string;
  patch: string;
  signal: AbortSignal;
  turnOptions: TurnSettings;
  withAgentTools: WithAgentTools;
  /** Tools the reviewer gets (the candidate's workspace tools, bound to the task's sandbox policy). */
  tools?: AnyTool[];
}): Promise<{ review: Review; usage: Usage }> {
  const patch =
    options.patch.length > MAX_PATCH_CHARS
      ? `${options.patch.slice(0, MAX_PATCH_CHARS)}\n[truncated]`
      : options.patch;
  const prompt = [
    `Goal: ${options.goal}`,
    'Proposed patch:',
    patch,
    'Answer with JSON only: {"approved": boolean, "recommendation": "...", "readiness": 0..1, "notes": "..."}',
  ].join('\n');
  const turn = await runEphemeralTurn({
    agent: options.reviewer,
    prompt,
    signal: options.signal,
    turnOptions: options.turnOptions,
    withAgentTools: options.withAgentTools,
    ...(options.tools && { extraTools: options.tools }),
  });
  return { review: readReview(turn.text), usage: turn.usage };
}
