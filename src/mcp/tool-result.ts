import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ValidationError } from '../core/errors.js';
import { errorBodyFor } from '../server/error-response.js';
import { findUnstorableText, replaceUnstorable } from '../server/input-limits.js';

/** A successful tool result: the value as JSON text, and as structured content. */
export function jsonResult(value: object): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: { ...value } };
}

/**
 * A tool error (`isError: true`) with `code: message` text; never a stack trace, and for a
 * server fault (a store error naming its database, a bug) only the generic internal error, as
 * the HTTP API answers it.
 */
export function errorResult(error: unknown): CallToolResult {
  const body = errorBodyFor(error);
  return { content: [{ type: 'text', text: `${body.code}: ${body.message}` }], isError: true };
}

/**
 * Runs a tool handler and turns whatever it throws into a tool error, so the server never
 * crashes. Arguments holding text no store can hold (NUL, unpaired surrogates) are refused
 * before the handler runs: PostgreSQL would otherwise fail the query as a server fault.
 */
export async function toolCall(args: unknown, run: () => Promise<object>): Promise<CallToolResult> {
  const unstorable = findUnstorableText(args);
  if (unstorable !== undefined) {
    return errorResult(
      new ValidationError(
        `invalid argument ${replaceUnstorable(unstorable) || '(root)'}: must not contain NUL or unpaired surrogates`,
        unstorable,
      ),
    );
  }
  try {
    return jsonResult(await run());
  } catch (error) {
    return errorResult(error);
  }
}
