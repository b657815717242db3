// Public API of `baton-runtime/mcp`: the delegation MCP server Baton offers, and the client that
// gives agents other servers' tools. Every export here is public API, pinned by test/public-api.test.ts.

export { runtimeTaskService } from '../delegation/runtime-task-service.js';
export type { McpToolConnection } from './client/connect-mcp-tools.js';
export { connectMcpTools, McpServerError } from './client/connect-mcp-tools.js';
export type { DelegationMcpServerOptions } from './delegation-server.js';
export { createDelegationMcpServer } from './delegation-server.js';
export type { McpHttpOptions } from './http-handler.js';
export { mcpHttpHandler } from './http-handler.js';
