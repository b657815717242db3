import type { ScriptedRequest } from 'baton-runtime';

/** The output of the newest tool result in the prompt, as JSON text (for the scripted replies). */
export function lastToolOutput(request: ScriptedRequest): string {
  const last = request.prompt.at(-1);
  const part = last?.role === 'tool' ? last.content[0] : undefined;
  return part?.type === 'tool-result' ? JSON.stringify(part.output) : 'null';
}
