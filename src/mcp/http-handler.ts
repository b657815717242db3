import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { CallerIdentity } from '../core/tool.js';
import type { TaskService } from '../delegation/task-types.js';
import type { ApprovalDesk } from './approval-tools.js';
import { createDelegationMcpServer } from './delegation-server.js';

/** Options of {@link mcpHttpHandler}. */
export interface McpHttpOptions {
  tasks: TaskService;
  version?: string;
  /** Offers `approvals_list` and `approval_decide` over this runtime's approvals. */
  approvals?: ApprovalDesk;
}

/**
 * The delegation MCP server over Streamable HTTP, as a Web `Request → Response` handler that
 * any router can mount (`baton serve` mounts it at `/mcp`, behind its auth). Stateless: each
 * request gets its own server and transport with JSON responses, so any server process behind
 * a load balancer can answer any request — the state lives in the store. `caller` is who the
 * server's auth authenticated: `approval_decide` is held to the rule of who may decide.
 */
export function mcpHttpHandler(
  options: McpHttpOptions,
): (request: Request, caller?: CallerIdentity) => Promise<Response> {
  return async function handleMcpRequest(request, caller) {
    const server = createDelegationMcpServer({ ...options, ...(caller !== undefined && { caller }) });
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      // JSON responses are complete once returned; nothing streams after this point.
      await server.close();
    }
  };
}
