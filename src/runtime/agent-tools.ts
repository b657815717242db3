import type { Agent, McpServerSpec } from '../core/agent.js';
import { UserError } from '../core/errors.js';
import type { AnyTool } from '../core/tool.js';

/**
 * Runs work with an agent's MCP tools connected (the runtime's implementation connects its
 * `mcpServers`, or throws `mcp_server_failed` before `work` starts). Every agent turn of every
 * run kind goes through one, so no path can drop an agent's tools.
 */
export type WithAgentTools = <T>(
  agent: Agent,
  signal: AbortSignal,
  work: (extraTools: AnyTool[]) => Promise<T>,
) => Promise<T>;

/** Tools connected for one execution, and how to let go of them. */
export interface AgentToolConnection {
  tools: AnyTool[];
  close(): Promise<void>;
}

/**
 * Connects an agent's `mcpServers` and returns their tools. The runtime does not know MCP
 * (adapters sit above it): composition roots inject one, e.g. `connectMcpTools` from src/mcp.
 * A server that cannot start must throw a typed error naming it; the run fails with that error.
 */
export type AgentToolConnector = (
  servers: readonly McpServerSpec[],
  signal: AbortSignal,
) => Promise<AgentToolConnection>;

/**
 * Builds the runtime's {@link WithAgentTools}: `work` runs with the agent's server tools
 * connected for this execution and closed after it. An agent without servers gets none; one
 * with servers on a runtime without a connector is a configuration error, not a silent tool loss.
 */
export function agentToolsRunner(connect: AgentToolConnector | undefined): WithAgentTools {
  return async (agent, signal, work) => {
    if (agent.mcpServers.length === 0) return work([]);
    if (!connect) {
      throw new UserError(
        'mcp_unavailable',
        `agent ${agent.name} has mcpServers but this runtime has no tool connector (createRuntime({ connectAgentTools }))`,
      );
    }
    const connection = await connect(agent.mcpServers, signal);
    try {
      return await work(connection.tools);
    } finally {
      await connection.close();
    }
  };
}
