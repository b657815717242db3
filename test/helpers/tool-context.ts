import type { ToolContext } from '../../src/core/tool.js';

/** The context a tool gets when a test or a benchmark calls it directly, outside any run. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, runId: 'run_test', sessionId: 'ses_test', toolCallId: 'call_1', context: {} };
}
