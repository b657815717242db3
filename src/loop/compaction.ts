import type { LanguageModelV3, LanguageModelV3Message, LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { callModel } from '../model/call-model.js';
import { resolveModel } from '../model/resolve-model.js';
import type { Journal } from './journal.js';
import type { Transcript } from './transcript.js';
import { summaryMessage } from './transcript.js';

/** Model steps kept verbatim after a summary unless `compaction.keepRecentSteps` says otherwise. */
export const DEFAULT_KEEP_RECENT_STEPS = 4;

/** What the summarising model is told. */
const SUMMARY_INSTRUCTIONS =
  'Summarise the conversation below for the assistant that continues it: the user requests, ' +
  'decisions, facts learned from tools, and the open work. Answer with the summary only.';

/** Estimated tokens of a prompt: characters of its JSON / 4 (no tokenizer is loaded for this). */
export function estimateTokens(messages: readonly LanguageModelV3Message[]): number {
  return Math.ceil(JSON.stringify(messages).length / 4);
}

/** Options of {@link compactIfLong}. */
export interface CompactionStep {
  journal: Journal;
  transcript: Transcript;
  /** The run's starting agent: its `compaction` applies, as its guardrails do. */
  agent: Agent;
  /** The active agent's model: it summarises unless `compaction.summarizer` names another. */
  model: LanguageModelV3;
  env: Environment;
  signal: AbortSignal;
}

/**
 * Before a model call: when the transcript's estimated tokens pass the agent's
 * `compaction.thresholdTokens`, summarises all but the last `keepRecentSteps` steps into one
 * message, commits `transcript.compacted` and asks the journal for a checkpoint. Resumes replay
 * the event, so they build from the compacted transcript too. Not while a handoff's filter
 * shows the model another view of the history.
 */
export async function compactIfLong(step: CompactionStep): Promise<void> {
  const { transcript, agent } = step;
  const options = agent.compaction;
  if (options === undefined || transcript.filtered) return;
  const prompt = transcript.prompt;
  const tokensBefore = estimateTokens(prompt);
  if (tokensBefore <= options.thresholdTokens) return;
  const cut = cutBefore(prompt, options.keepRecentSteps ?? DEFAULT_KEEP_RECENT_STEPS);
  // Nothing older than the kept steps but a summary already: nothing to compact.
  if (cut <= 2) return;
  const model = options.summarizer === undefined ? step.model : resolveModel(options.summarizer, step.env);
  let response: Awaited<ReturnType<typeof callModel>>;
  try {
    response = await callModel({
      model,
      prompt: [
        { role: 'system', content: SUMMARY_INSTRUCTIONS },
        { role: 'user', content: [{ type: 'text', text: renderMessages(prompt.slice(1, cut)) }] },
      ],
      signal: step.signal,
    });
  } catch {
    // A summary that fails leaves the transcript whole: the step goes on, the next one tries again.
    return;
  }
  const kept = prompt.slice(cut);
  const tokensAfter = estimateTokens([
    prompt[0] as LanguageModelV3Message,
    summaryMessage(response.text),
    ...kept,
  ]);
  await step.journal.append({
    type: 'transcript.compacted',
    data: {
      upToSeq: step.journal.knownHead,
      summary: response.text,
      tokensBefore,
      tokensAfter,
      keptMessages: kept.length,
      // A message committed during the summary is not in `kept`: a rebuild counts without it.
      messagesThrough: step.journal.seen,
    },
  });
  transcript.compact(response.text, kept.length);
  try {
    await step.journal.checkpoint?.(0);
  } catch {
    // A checkpoint is an optimisation: without it the next run reads the log, compaction included.
  }
}

/** Index of the first message kept: the assistant message `keepSteps` model steps back. */
function cutBefore(prompt: LanguageModelV3Prompt, keepSteps: number): number {
  let steps = 0;
  for (let index = prompt.length - 1; index > 0; index -= 1) {
    if (prompt[index]?.role === 'assistant') steps += 1;
    if (steps === keepSteps) return index;
  }
  return 1;
}

/** The messages as plain text for the summariser: one line per part, roles first. */
function renderMessages(messages: readonly LanguageModelV3Message[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (typeof message.content === 'string') {
      lines.push(`${message.role}: ${message.content}`);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text') lines.push(`${message.role}: ${part.text}`);
      else if (part.type === 'tool-call')
        lines.push(`assistant called ${part.toolName}: ${JSON.stringify(part.input)}`);
      else if (part.type === 'tool-result')
        lines.push(`tool ${part.toolName} returned: ${JSON.stringify(part.output)}`);
    }
  }
  return lines.join('\n');
}
