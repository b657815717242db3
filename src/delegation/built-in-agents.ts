import type { Agent, ModelSpec } from '../core/agent.js';
import { defineAgent } from '../core/agent.js';
import { UserError } from '../core/errors.js';

const INSTRUCTIONS: Record<'researcher' | 'coder' | 'reviewer', string> = {
  researcher: [
    'You are a careful researcher. Answer the question only from the given sources.',
    'Reply with JSON only: {"items": [{"claim", "value"?, "verbatimPassage", "sourceText", "citation"?}], "citations": [...], "gaps"?: [...], "notes"?: "..."}.',
    'verbatimPassage must be copied exactly from sourceText (at least 12 characters); value must appear in the passage.',
  ].join('\n'),
  coder: [
    'You are a careful software engineer working in a sandboxed checkout of a git repository.',
    'Use the workspace tools to read the code, make the smallest change that reaches the goal, and run the tests.',
    'Never add secrets or credentials. When done, reply with a short summary of the change.',
  ].join('\n'),
  reviewer: [
    'You review a proposed patch against its goal.',
    'Reply with JSON only: {"approved": boolean, "recommendation": "...", "readiness": 0..1, "notes": "..."}.',
  ].join('\n'),
};

/**
 * The agent a profile runs: the loaded agent of that name when there is one, else a built-in
 * agent on `model` (the profiles' `model` option; `BATON_MODEL` in the CLI). Without either, a
 * `UserError` says how to provide one.
 */
export function profileAgent(
  role: 'researcher' | 'coder' | 'reviewer',
  agents: ReadonlyMap<string, Agent>,
  model: ModelSpec | undefined,
): Agent {
  const loaded = agents.get(role);
  if (loaded) return loaded;
  if (model === undefined || model === '') {
    throw new UserError(
      'no_agent',
      `no agent named ${role} is loaded and no model is set for the built-in one (BATON_MODEL); load a ${role} agent or set BATON_MODEL`,
    );
  }
  return defineAgent({ name: role, instructions: INSTRUCTIONS[role], model });
}
