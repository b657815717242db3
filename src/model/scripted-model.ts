import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { CancelledError, ModelBehaviorError } from '../core/errors.js';
import type { FinishReason } from '../core/events.js';
import { isPromiseLike } from '../core/promise-like.js';
import { callAborted } from './call-options.js';
import { completeStreamResult } from './complete-stream.js';

/** A tool call a scripted step makes. `rawInput` sends the JSON text verbatim (to script malformed input). */
export interface ScriptedToolCall {
  name: string;
  input?: unknown;
  rawInput?: string;
}

/** One scripted model response. */
export interface ScriptedStep {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { inputTokens?: number; outputTokens?: number; costUsd?: number };
  /**
   * Baton's normalised reason, or the AI SDK's unified spelling (`tool-calls`, `content-filter`,
   * `other`). Defaults to `tool_calls` when the step calls tools, else `stop`.
   */
  finishReason?: FinishReason | LanguageModelV3FinishReason['unified'];
}

/** What a function step sees: the prompt, the step index, and shortcuts into the prompt. */
export interface ScriptedRequest {
  prompt: LanguageModelV3Prompt;
  /** Index of this step = number of assistant messages in the prompt. */
  step: number;
  /** Text of the latest user message, if any. */
  lastUserText: string | undefined;
  /** Role of the last prompt message: `tool` right after tool results, `user` after a message. */
  lastRole: LanguageModelV3Prompt[number]['role'] | undefined;
}

/** A step, or a function computing one from the request. */
export type ScriptEntry = ScriptedStep | ((request: ScriptedRequest) => ScriptedStep | Promise<ScriptedStep>);

/** A finite list of entries, or one function answering every step (an endless script). */
export type Script =
  | readonly ScriptEntry[]
  | ((request: ScriptedRequest) => ScriptedStep | Promise<ScriptedStep>);

type AiSdkReason = LanguageModelV3FinishReason['unified'];

// The AI SDK's own spellings, accepted so scripts written against its mocks work unchanged.
const AI_SDK_REASONS: Readonly<Record<AiSdkReason, true>> = {
  stop: true,
  length: true,
  'content-filter': true,
  'tool-calls': true,
  error: true,
  other: true,
};

// Maps a scripted finish reason to the V3 shape so that `normaliseFinishReason` returns it unchanged.
const V3_REASONS: Readonly<Record<FinishReason, LanguageModelV3FinishReason>> = {
  stop: { unified: 'stop', raw: 'stop' },
  length: { unified: 'length', raw: 'length' },
  context_limit: { unified: 'length', raw: 'context_length_exceeded' },
  tool_calls: { unified: 'tool-calls', raw: 'tool_calls' },
  content_filter: { unified: 'content-filter', raw: 'content_filter' },
  refusal: { unified: 'content-filter', raw: 'refusal' },
  pause: { unified: 'other', raw: 'pause_turn' },
  malformed: { unified: 'other', raw: 'malformed_function_call' },
  cancelled: { unified: 'other', raw: 'cancelled' },
  error: { unified: 'error', raw: 'error' },
};

function v3Reason(step: ScriptedStep): LanguageModelV3FinishReason {
  const reason = step.finishReason ?? ((step.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
  if (Object.hasOwn(V3_REASONS, reason)) return V3_REASONS[reason as FinishReason];
  if (Object.hasOwn(AI_SDK_REASONS, reason)) return { unified: reason as AiSdkReason, raw: reason };
  throw new ModelBehaviorError(
    'invalid_script',
    `scripted finish reason ${JSON.stringify(reason)} is unknown`,
  );
}

function scriptedRequest(prompt: LanguageModelV3Prompt): ScriptedRequest {
  let step = 0;
  let lastUserText: string | undefined;
  for (const message of prompt) {
    if (message.role === 'assistant') step += 1;
    if (message.role === 'user') {
      lastUserText = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    }
  }
  return { prompt, step, lastUserText, lastRole: prompt.at(-1)?.role };
}

function stepFor(script: Script, request: ScriptedRequest): ScriptedStep | Promise<ScriptedStep> {
  if (typeof script === 'function') return script(request);
  const entry = script[request.step];
  if (entry === undefined) {
    throw new ModelBehaviorError(
      'script_exhausted',
      `the scripted model has ${script.length} step(s) but was asked for step ${request.step + 1}`,
    );
  }
  return typeof entry === 'function' ? entry(request) : entry;
}

/** A step of the right shape; a function entry in a JavaScript agent file may return anything. */
function checkedStep(step: unknown, request: ScriptedRequest): ScriptedStep {
  if (typeof step !== 'object' || step === null) {
    throw new ModelBehaviorError(
      'invalid_script',
      `scripted step ${request.step + 1} is ${JSON.stringify(step) ?? String(step)}, not { text?, toolCalls? }`,
    );
  }
  return step as ScriptedStep;
}

function usageOf(step: ScriptedStep): LanguageModelV3Usage {
  const input = step.usage?.inputTokens ?? 0;
  const output = step.usage?.outputTokens ?? 0;
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** Splits text into a few chunks at word boundaries, so streamed deltas are visible. */
function chunks(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const size = Math.max(1, Math.ceil(words.length / 3));
  const result: string[] = [];
  for (let index = 0; index < words.length; index += size)
    result.push(words.slice(index, index + size).join(''));
  return result;
}

function contentOf(step: ScriptedStep, index: number): LanguageModelV3Content[] {
  const content: LanguageModelV3Content[] = [];
  if (step.text !== undefined && step.text !== '') content.push({ type: 'text', text: step.text });
  (step.toolCalls ?? []).forEach((call, position) => {
    content.push({
      type: 'tool-call',
      toolCallId: `call_${index}_${position}`,
      toolName: call.name,
      input: call.rawInput ?? JSON.stringify(call.input ?? {}),
    });
  });
  return content;
}

/**
 * The response to one call: synchronous when the script's step is (a list, or a function that
 * returns a step rather than a promise), so that a benchmark's fake model waits for nothing.
 */
function respond(
  script: Script,
  options: LanguageModelV3CallOptions,
): LanguageModelV3GenerateResult | Promise<LanguageModelV3GenerateResult> {
  if (callAborted(options)) throw new CancelledError();
  const request = scriptedRequest(options.prompt);
  const step = stepFor(script, request);
  return isPromiseLike(step)
    ? Promise.resolve(step).then((settled) => resultOf(checkedStep(settled, request), request))
    : resultOf(checkedStep(step, request), request);
}

function resultOf(step: ScriptedStep, request: ScriptedRequest): LanguageModelV3GenerateResult {
  return {
    content: contentOf(step, request.step),
    finishReason: v3Reason(step),
    usage: usageOf(step),
    ...(step.usage?.costUsd === undefined
      ? {}
      : { providerMetadata: { baton: { costUsd: step.usage.costUsd } } }),
    warnings: [],
  };
}

function streamParts(result: LanguageModelV3GenerateResult): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  for (const item of result.content) {
    if (item.type === 'text') {
      parts.push({ type: 'text-start', id: 'text' });
      for (const delta of chunks(item.text)) parts.push({ type: 'text-delta', id: 'text', delta });
      parts.push({ type: 'text-end', id: 'text' });
    } else if (item.type === 'tool-call') {
      parts.push(item);
    }
  }
  parts.push({
    type: 'finish',
    usage: result.usage,
    finishReason: result.finishReason,
    ...(result.providerMetadata === undefined ? {} : { providerMetadata: result.providerMetadata }),
  });
  return parts;
}

/**
 * A deterministic `LanguageModelV3` for tests, demos and benchmarks. The i-th assistant turn of
 * the prompt it is sent gets script entry i — counted from the prompt itself, so a run resumed
 * in a new process continues the script where it stopped. Past the end of a finite script it
 * throws `ModelBehaviorError` with code `script_exhausted`. Tool call ids are `call_<step>_<n>`.
 * A step's `usage.costUsd` travels as provider metadata `{ baton: { costUsd } }`.
 */
export function scriptedModel(script: Script, options: { modelId?: string } = {}): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'scripted',
    modelId: options.modelId ?? 'scripted',
    supportedUrls: {},
    doGenerate: async (callOptions) => respond(script, callOptions),
    doStream: async (callOptions) => {
      const response = respond(script, callOptions);
      return completeStreamResult(streamParts(isPromiseLike(response) ? await response : response));
    },
  };
}
