/** One journaled call of a local tool: what the triggers read and what travels in the next checkpoint. */
export interface ToolJournalEntry {
  name: string;
  ok: boolean;
  durationMs: number;
  startedAt: string;
  /** The error's message, for a call that threw. */
  error?: string;
}

/** An AI-SDK-shaped tool: anything with an optional `execute(input, options)`. */
export interface JournalableTool {
  execute?: (input: never, options: never) => unknown;
}

/**
 * Wraps each tool's `execute` so that every call is journaled (`push`) with its duration and
 * outcome; a call that throws is a failure and still throws. Tools without `execute` and every
 * other property pass through unchanged, so the result drops into `generateText({ tools })`.
 */
export function journalToolset<Toolset extends Record<string, JournalableTool>>(
  toolset: Toolset,
  push: (entry: ToolJournalEntry) => void,
  now: () => number = Date.now,
): Toolset {
  const wrapped: Record<string, JournalableTool> = {};
  for (const [name, tool] of Object.entries(toolset)) {
    const execute = tool.execute;
    if (execute === undefined) {
      wrapped[name] = tool;
      continue;
    }
    wrapped[name] = {
      ...tool,
      execute: async (input: never, options: never) => {
        const started = now();
        const startedAt = new Date(started).toISOString();
        try {
          const result = await execute.call(tool, input, options);
          push({ name, ok: true, durationMs: now() - started, startedAt });
          return result;
        } catch (error) {
          push({
            name,
            ok: false,
            durationMs: now() - started,
            startedAt,
            error: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
      },
    };
  }
  return wrapped as Toolset;
}
