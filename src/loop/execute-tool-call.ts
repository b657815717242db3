import { ERROR_CODES, type ErrorCode, type ToolErrorCode } from '../core/error-codes.js';
import { CancelledError, errorMessage, isBatonError } from '../core/errors.js';
import type { ToolCallRecord } from '../core/events.js';
import { isPromiseLike } from '../core/promise-like.js';
import type { AnyTool, ToolContext, ToolOutcome } from '../core/tool.js';
import { checkToolInput } from '../core/tool.js';

function failure(code: ErrorCode, message: string): ToolOutcome {
  return { ok: false, output: null, error: { code, message } };
}

/**
 * The code a tool's own failure keeps in `tool.result`: a Baton error's code (`timeout`,
 * `not_a_regular_file`...) or a documented code the thrown value carries; else `tool_error`.
 */
function toolFailureCode(error: unknown): ErrorCode {
  if (isBatonError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : TOOL_ERROR;
}

const TOOL_ERROR: ToolErrorCode = 'tool_error';

/** Tool output as stored: JSON only (`undefined` → `null`, dates → strings). */
function toJsonValue(output: unknown): unknown {
  if (output === undefined) return null;
  return JSON.parse(JSON.stringify(output) ?? 'null');
}

function aborted(): CancelledError {
  return new CancelledError('the tool call was aborted');
}

/**
 * Settles like `work`, or rejects as soon as `signal` aborts: a tool that ignores its signal
 * must not hold a cancelled or timed-out turn open. Its eventual result is dropped.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Also observes a rejection that comes after the abort, so it is never unhandled.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Validates a call's input with the tool's schema and executes it. Every failure is data the
 * model sees, never an exception: `unknown_tool`, `invalid_input` (naming the problem) or
 * the tool's own typed code (`tool_error` when it has none; the message only, never a stack).
 */
export async function executeToolCall(
  candidate: AnyTool | undefined,
  call: ToolCallRecord,
  context: ToolContext,
  inputIsMalformed: boolean,
): Promise<ToolOutcome> {
  if (candidate === undefined) return failure('unknown_tool', `there is no tool named ${call.name}`);
  if (inputIsMalformed) {
    return failure(
      'invalid_input',
      `the input for tool ${call.name} is not valid JSON: ${String(call.input).slice(0, 200)}`,
    );
  }
  const checked = checkToolInput(candidate, call.input);
  const parsed = isPromiseLike(checked) ? await checked : checked;
  if (!parsed.ok) {
    return failure('invalid_input', `invalid input for tool ${call.name}: ${parsed.problems.join('; ')}`);
  }
  let output: unknown;
  try {
    const returned = candidate.execute(parsed.value, context);
    if (isPromiseLike(returned)) output = await untilAborted(Promise.resolve(returned), context.signal);
    // A synchronous tool has finished already: nothing to race the signal with, no listener to
    // add and remove on every call. It counts as aborted if the signal was, as `untilAborted` says.
    else if (context.signal.aborted) throw aborted();
    else output = returned;
  } catch (error) {
    return failure(toolFailureCode(error), errorMessage(error));
  }
  try {
    return { ok: true, output: toJsonValue(output) };
  } catch (error) {
    const reason = errorMessage(error);
    return failure('tool_error', `the output of tool ${call.name} is not JSON-serialisable: ${reason}`);
  }
}
