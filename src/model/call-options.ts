import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
} from '@ai-sdk/provider';
import type { StreamWatchdog } from './stream-watchdog.js';

const watchdogKey = Symbol('baton.watchdog');

type WatchedCallOptions = LanguageModelV3CallOptions & { [watchdogKey]?: StreamWatchdog | undefined };

// One accessor for every call: a getter written in an object literal is a new function per call,
// and V8 takes about a microsecond to define one that way.
const LAZY_SIGNAL: PropertyDescriptor = Object.freeze({
  enumerable: true,
  configurable: true,
  get(this: WatchedCallOptions): AbortSignal | undefined {
    return this[watchdogKey]?.signal;
  },
  // A middleware may set its own signal in place, as on any options object; that one counts then.
  set(this: WatchedCallOptions, abortSignal: AbortSignal | undefined): void {
    this[watchdogKey] = undefined;
    Object.defineProperty(this, 'abortSignal', {
      value: abortSignal,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  },
});

/**
 * The options of one `doStream` call under `watchdog`. `abortSignal` is the watchdog's signal, an
 * own accessor that makes it only when read: a provider, or a middleware copying the options,
 * gets an ordinary signal; a provider that only needs to know whether the call is aborted asks
 * {@link callAborted} and never pays for one (Node takes microseconds to make an `AbortSignal`).
 */
export function watchedCallOptions(
  watchdog: StreamWatchdog,
  prompt: LanguageModelV3Prompt,
  tools: LanguageModelV3FunctionTool[] | undefined,
): LanguageModelV3CallOptions {
  const options: WatchedCallOptions =
    tools === undefined || tools.length === 0
      ? { prompt, [watchdogKey]: watchdog }
      : { prompt, tools, [watchdogKey]: watchdog };
  Object.defineProperty(options, 'abortSignal', LAZY_SIGNAL);
  return options;
}

/**
 * Whether the call is aborted: `options.abortSignal?.aborted`, without making the watchdog's
 * signal while nobody has. Once it is made, its options may have been copied with another signal
 * in its place, so the options' own signal answers.
 */
export function callAborted(options: LanguageModelV3CallOptions): boolean {
  const watchdog = (options as WatchedCallOptions)[watchdogKey];
  return watchdog !== undefined && !watchdog.signalMade
    ? watchdog.aborted
    : options.abortSignal?.aborted === true;
}
