import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toErrorBody } from '../core/errors.js';

/** A successful tool result: the value as JSON text, and as structured content. */
export function jsonResult(value: object): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: { ...value } };
}

/** A tool error (`isError: true`) with `code: message` text; never a stack trace. */
export function errorResult(error: unknown): CallToolResult {
  const body = toErrorBody(error);
  return { content: [{ type: 'text', text: `${body.code}: ${body.message}` }], isError: true };
}

/** Runs a handler and turns whatever it throws into a tool error, so the server never crashes. */
export async function toolCall(run: () => Promise<object>): Promise<CallToolResult> {
  try {
    return jsonResult(await run());
  } catch (error) {
    return errorResult(error);
  }
}
