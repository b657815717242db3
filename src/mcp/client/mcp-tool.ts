import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { BatonError } from '../../core/errors.js';
import type { AnyTool } from '../../core/tool.js';
import { tool } from '../../core/tool.js';

/** An MCP tool answered `isError: true`; the model sees its text as the tool error. */
export class McpToolError extends BatonError {
  constructor(message: string) {
    super('mcp_tool_error', message);
  }
}

/** The zod schema of an MCP tool's JSON Schema input; an unreadable schema accepts any object. */
function inputSchemaOf(remote: McpTool): z.ZodType<Record<string, unknown>> {
  try {
    return z.fromJSONSchema(remote.inputSchema as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<
      Record<string, unknown>
    >;
  } catch {
    // The server validates its own input; an unreadable schema only loses the local check.
    return z.record(z.string(), z.unknown());
  }
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
}

/**
 * A core tool that calls one tool of a connected MCP server, named `<server>__<tool>`. The
 * output is the structured content when the server gives one, else the text content.
 */
export function mcpTool(serverName: string, client: Client, remote: McpTool): AnyTool {
  return tool({
    name: `${serverName}__${remote.name}`,
    description: remote.description ?? `${remote.name} from MCP server ${serverName}`,
    inputSchema: inputSchemaOf(remote),
    async execute(input, context) {
      const result = (await client.callTool({ name: remote.name, arguments: input }, undefined, {
        signal: context.signal,
      })) as CallToolResult;
      if (result.isError) throw new McpToolError(textOf(result) || `${remote.name} failed`);
      return result.structuredContent ?? textOf(result);
    },
  });
}
