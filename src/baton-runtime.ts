import { taskKind } from './delegation/task-kind.js';
import { execKind } from './governed/exec-kind.js';
import { workspaceKind } from './governed/workspace-kind.js';
import { connectMcpTools } from './mcp/client/connect-mcp-tools.js';
import { messageKind } from './message/message-kind.js';
import { createRuntime as createBareRuntime, type RuntimeOptions } from './runtime/create-runtime.js';
import type { AnyRunKind } from './runtime/run-kind.js';
import type { Runtime } from './runtime/types.js';

/**
 * The run kinds every Baton runtime has: `message` runs answer a session's messages through
 * the agent loop (src/message), `task` runs carry delegated work (src/delegation), `exec` runs
 * are governed sandboxed commands and `workspace` runs agents on a sandboxed workspace copy
 * (src/governed), so any worker can resume any of them.
 */
export function defaultRunKinds(): AnyRunKind[] {
  return [messageKind(), taskKind(), execKind(), workspaceKind()];
}

/**
 * The durable runtime over a store, with the built-in run kinds (`kinds` adds to them or
 * replaces one by name) and agents' `mcpServers` connected through the MCP client unless
 * `connectAgentTools` says otherwise. This is the composition root's `createRuntime` (the CLI,
 * `baton serve`, the `baton-runtime` package): the runtime layer itself knows no kind and no MCP.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  return createBareRuntime({
    ...options,
    kinds: [...defaultRunKinds(), ...(options.kinds ?? [])],
    connectAgentTools: options.connectAgentTools ?? connectMcpTools,
  });
}
