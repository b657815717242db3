import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
} from '@ai-sdk/provider';
import type { StreamWatchdog } from './stream-watchdog.js';

/** The call options `watchedCallOptions` made, with their watchdog; copies made from them are not here. */
const watchdogs = new WeakMap<LanguageModelV3CallOptions, StreamWatchdog>();

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
  const options: LanguageModelV3CallOptions =
    tools === undefined || tools.length === 0
      ? {
          prompt,
          get abortSignal() {
            return watchdog.signal;
          },
        }
      : {
          prompt,
          tools,
          get abortSignal() {
            return watchdog.signal;
          },
        };
  watchdogs.set(options, watchdog);
  return options;
}

/** Whether the call is aborted: `options.abortSignal?.aborted`, without making the signal of watched options. */
export function callAborted(options: LanguageModelV3CallOptions): boolean {
  const watchdog = watchdogs.get(options);
  return watchdog === undefined ? options.abortSignal?.aborted === true : watchdog.aborted;
}
