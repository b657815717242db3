import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerSpec } from '../../core/agent.js';
import { BatonError, errorMessage } from '../../core/errors.js';
import type { AnyTool } from '../../core/tool.js';
import { mcpTool } from './mcp-tool.js';

/** An MCP server of an agent could not be started or reached; the run fails with this code. */
export class McpServerError extends BatonError {
  constructor(server: string, reason: string, cause?: unknown) {
    super('mcp_server_failed', `MCP server ${JSON.stringify(server)} failed to start: ${reason}`, { cause });
  }
}

/** Open connections to an agent's MCP servers and the tools they offer. */
export interface McpToolConnection {
  tools: AnyTool[];
  /** Closes every client (a stdio server's process ends with it). */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;

function transportFor(spec: McpServerSpec): Transport {
  if ('url' in spec) {
    return new StreamableHTTPClientTransport(
      new URL(spec.url),
      spec.headers ? { requestInit: { headers: spec.headers } } : {},
    );
  }
  return new StdioClientTransport({
    command: spec.command,
    ...(spec.args && { args: spec.args }),
    // The server gets the SDK's minimal environment plus its own variables, not Baton's secrets.
    env: { ...getDefaultEnvironment(), ...spec.env },
    stderr: 'ignore',
  });
}

async function connectOne(
  spec: McpServerSpec,
  signal: AbortSignal | undefined,
): Promise<{ client: Client; tools: AnyTool[] }> {
  const client = new Client({ name: 'baton', version: '0.1.0' });
  try {
    const options = {
      signal: AbortSignal.any([AbortSignal.timeout(CONNECT_TIMEOUT_MS), ...(signal ? [signal] : [])]),
    };
    await client.connect(transportFor(spec), options);
    const listed = await client.listTools(undefined, options);
    return { client, tools: listed.tools.map((remote) => mcpTool(spec.name, client, remote)) };
  } catch (error) {
    // The failure to report is the connection's; closing a client that never connected may fail too.
    await client.close().catch(() => undefined);
    throw new McpServerError(spec.name, errorMessage(error), error);
  }
}

/**
 * Connects to every MCP server of an agent (stdio child process or Streamable HTTP) and turns
 * their tools into core tools named `<server>__<tool>`. If one server fails, the ones already
 * connected are closed and an {@link McpServerError} names the server that failed.
 */
export async function connectMcpTools(
  servers: readonly McpServerSpec[],
  signal?: AbortSignal,
): Promise<McpToolConnection> {
  const connected: Client[] = [];
  const close = async (): Promise<void> => {
    // Closing is best effort: a server that already exited has nothing left to close.
    await Promise.all(connected.map((client) => client.close().catch(() => undefined)));
  };
  const tools: AnyTool[] = [];
  try {
    for (const spec of servers) {
      const connection = await connectOne(spec, signal);
      connected.push(connection.client);
      tools.push(...connection.tools);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { tools, close };
}
