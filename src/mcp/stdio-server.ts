import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { TaskService } from '../delegation/task-types.js';
import type { ApprovalDesk } from './approval-tools.js';
import { createDelegationMcpServer } from './delegation-server.js';

/**
 * Serves the delegation tools over stdio until the client disconnects (stdin closes) or the
 * signal aborts. stdout carries protocol messages only; anything else belongs on stderr.
 */
export async function serveMcpStdio(options: {
  tasks: TaskService;
  version?: string;
  signal?: AbortSignal;
  approvals?: ApprovalDesk;
}): Promise<void> {
  const server = createDelegationMcpServer({
    tasks: options.tasks,
    ...(options.version && { version: options.version }),
    ...(options.approvals && { approvals: options.approvals, elicitApprovals: true }),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
