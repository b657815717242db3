/**
 * Reads the JSON object an agent was asked to answer with. Models often wrap it in a fenced
 * block or a sentence, so after a plain parse this tries the fenced block, then the outermost
 * braces. Undefined when no JSON object can be read.
 */
export function parseJsonAnswer(text: string): Record<string, unknown> | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  const braces = start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
  for (const candidate of [text, fenced, braces]) {
    if (candidate === undefined) continue;
    try {
      const value: unknown = JSON.parse(candidate.trim());
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // Not this form; try the next one.
    }
  }
  return undefined;
}
