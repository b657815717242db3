import type { Agent } from '../core/agent.js';
import type { AnyTool } from '../core/tool.js';
import { connectMcpTools } from '../mcp/client/connect-mcp-tools.js';

/**
 * Runs `work` with the tools of the agent's MCP servers (`<server>__<tool>`), connected for
 * this execution and closed after it; an agent without servers gets none. A server that
 * fails to start throws `McpServerError` (code `mcp_server_failed`) before `work` runs.
 */
export async function withAgentTools<T>(
  agent: Agent,
  signal: AbortSignal,
  work: (extraTools: AnyTool[]) => Promise<T>,
): Promise<T> {
  if (agent.mcpServers.length === 0) return work([]);
  const connection = await connectMcpTools(agent.mcpServers, signal);
  try {
    return await work(connection.tools);
  } finally {
    await connection.close();
  }
}
