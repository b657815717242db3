import type { CoderArgs } from '../profile-args.js';

/** The coding agent's message: the goal, the hint, the checks its patch must pass. */
export function coderPrompt(args: CoderArgs, variant?: { index: number; count: number }): string {
  const lines = [`Goal: ${args.goal}`];
  if (args.contextHint) lines.push(`Context: ${args.contextHint}`);
  const config = args.config ?? {};
  if (config.testCmd) lines.push(`The tests must pass: ${config.testCmd}`);
  if (config.typecheckCmd) lines.push(`The typecheck must pass: ${config.typecheckCmd}`);
  if (config.forbiddenPaths?.length) lines.push(`Do not touch: ${config.forbiddenPaths.join(', ')}`);
  if (config.maxDiffLines) lines.push(`Keep the diff within ${config.maxDiffLines} lines.`);
  if (variant && variant.count > 1) {
    lines.push(`(Variant ${variant.index + 1} of ${variant.count}: work independently.)`);
  }
  return lines.join('\n');
}
