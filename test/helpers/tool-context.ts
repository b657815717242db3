import type { AnyTool, ToolContext } from '../../src/core/tool.js';
import { validateToolInput } from '../../src/core/tool.js';
import { ContextState } from '../../src/loop/context-state.js';

/** The context a tool gets when a test or a benchmark calls it directly, outside any run. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    signal,
    runId: 'run_test',
    sessionId: 'ses_test',
    toolCallId: 'call_1',
    context: ContextState.fromEvents([]).forCall(),
  };
}

/** Validates `input` against the tool's schema, as the loop does, and runs the tool outside any run. */
export async function callTool(target: AnyTool, input: unknown, signal?: AbortSignal): Promise<unknown> {
  const checked = await validateToolInput(target, input);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  return target.execute(checked.value, toolContext(signal));
}
