import { processEnvironment } from './config/process-environment.js';
import { connectMcpTools } from './mcp/client/connect-mcp-tools.js';
import { createRuntime as createBareRuntime, type RuntimeOptions } from './runtime/create-runtime.js';
import type { Runtime } from './runtime/types.js';

/**
 * The durable runtime over a store, with agents' `mcpServers` connected through the MCP client
 * unless `connectAgentTools` says otherwise, and variables looked up in the process environment
 * unless `env` says otherwise. This is the composition root's `createRuntime` (the CLI, `baton
 * serve`, the `baton-runtime` package): the runtime layer itself stays MCP-agnostic and reads no
 * environment.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  return createBareRuntime({
    ...options,
    connectAgentTools: options.connectAgentTools ?? connectMcpTools,
    env: options.env ?? processEnvironment(),
  });
}
