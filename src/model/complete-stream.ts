import type { LanguageModelV3StreamPart, LanguageModelV3StreamResult } from '@ai-sdk/provider';

const completeParts = Symbol('baton.completeParts');

/** The parts behind a complete stream, and whether its `stream` was read or replaced. */
class CompleteParts {
  touched = false;
  private stream: ReadableStream<LanguageModelV3StreamPart> | undefined;

  constructor(readonly parts: readonly LanguageModelV3StreamPart[]) {}

  /** The stream of the parts, built on first use (the same stream on every read, as a data property). */
  read(): ReadableStream<LanguageModelV3StreamPart> {
    this.touched = true;
    this.stream ??= new ReadableStream<LanguageModelV3StreamPart>({
      start: (controller) => {
        for (const part of this.parts) controller.enqueue(part);
        controller.close();
      },
    });
    return this.stream;
  }

  replace(stream: ReadableStream<LanguageModelV3StreamPart>): void {
    this.touched = true;
    this.stream = stream;
  }
}

type CompleteStreamResult = LanguageModelV3StreamResult & { [completeParts]?: CompleteParts };

// One accessor for every result: a getter written in an object literal is a new function per
// call, and V8 takes about a microsecond to define one that way.
const LAZY_STREAM: PropertyDescriptor = Object.freeze({
  enumerable: true,
  configurable: true,
  get(this: CompleteStreamResult): ReadableStream<LanguageModelV3StreamPart> | undefined {
    return this[completeParts]?.read();
  },
  set(this: CompleteStreamResult, stream: ReadableStream<LanguageModelV3StreamPart>): void {
    this[completeParts]?.replace(stream);
  },
});

/**
 * A `doStream` result for a response whose parts are all known already (the scripted model's).
 * Its `stream` is a real `ReadableStream` of the parts, built only when read, so any consumer
 * (the AI SDK, a middleware) sees an ordinary result; `callModel` takes the parts directly
 * ({@link untouchedParts}) and skips the Web Streams machinery, which costs more than the rest
 * of a scripted step's model call. `stream` is an own accessor so that a spread copy keeps it.
 */
export function completeStreamResult(
  parts: readonly LanguageModelV3StreamPart[],
): LanguageModelV3StreamResult {
  const result = { [completeParts]: new CompleteParts(parts) };
  Object.defineProperty(result, 'stream', LAZY_STREAM);
  return result as CompleteStreamResult;
}

/**
 * The parts of a {@link completeStreamResult} whose `stream` nobody read or replaced; otherwise
 * (any other result, or one a middleware wrapped or copied) `undefined`: read its `stream`.
 */
export function untouchedParts(
  result: LanguageModelV3StreamResult,
): readonly LanguageModelV3StreamPart[] | undefined {
  const complete = (result as CompleteStreamResult)[completeParts];
  return complete === undefined || complete.touched ? undefined : complete.parts;
}
