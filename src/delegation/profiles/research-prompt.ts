import type { ResearcherArgs } from '../profile-args.js';

/** The researcher's first message: the question, its scope and the numbered sources. */
export function researchPrompt(args: ResearcherArgs): string {
  const lines = [`Question: ${args.question}`];
  if (args.scope) lines.push(`Scope: ${args.scope}`);
  (args.sources ?? []).forEach((source, index) => {
    if (typeof source === 'string') {
      lines.push(`Source [${index + 1}]: ${source}`);
      return;
    }
    const heading = [source.title, source.url].filter(Boolean).join(' - ');
    lines.push(`Source [${index + 1}]: ${heading}`);
    if (source.text) lines.push(source.text);
  });
  lines.push(
    'Answer with JSON only: {"items": [{"claim", "value"?, "verbatimPassage", "sourceText", "citation"?}], "citations": [], "gaps"?: [], "notes"?: ""}.',
  );
  return lines.join('\n');
}
