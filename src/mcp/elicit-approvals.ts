import { setTimeout as sleep } from 'node:timers/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ElicitRequestFormParams } from '@modelcontextprotocol/sdk/types.js';
import { taskSessionId } from '../delegation/task-run.js';
import type { TaskService } from '../delegation/task-types.js';
import { isTerminalTask } from '../delegation/task-types.js';
import type { PendingApproval } from '../runtime/pending-gates.js';
import type { ApprovalDesk } from './approval-tools.js';

/** How often a delegated task's session is looked at for new approvals. */
const POLL_MS = 100;

const decisionSchema: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    decision: {
      type: 'string',
      title: 'Decision',
      enum: ['approve', 'deny'],
      description: 'approve lets the tool run once; deny gives the agent your reason',
    },
    reason: { type: 'string', title: 'Reason', description: 'Why (the agent sees it when denied)' },
  },
  required: ['decision'],
};

function question(taskId: string, approval: PendingApproval): string {
  const why = approval.guardrail
    ? ` (guardrail ${approval.guardrail.name}: ${approval.guardrail.reason})`
    : '';
  return `Baton task ${taskId}: approve ${approval.name} ${JSON.stringify(approval.input)}${why}?`;
}

/**
 * Offers each approval raised under a delegated task to the MCP client's user, as an
 * elicitation (`elicitation/create`), for as long as the task runs and the client is connected.
 * An accepted form is the person's decision, recorded as `by: 'mcp:<client name>'` on the
 * `person` channel (so it may decide a `needsApproval: 'human'` tool); `decline` denies;
 * `cancel`, or a client that cannot answer, leaves the approval open for anyone else who may
 * decide. Nothing is offered when the client did not announce the `elicitation` capability.
 */
export function offerTaskApprovals(
  server: McpServer,
  desk: ApprovalDesk,
  tasks: TaskService,
  taskId: string,
): void {
  if (server.server.getClientCapabilities()?.elicitation === undefined) return;
  // Runs in the background of the tool call that delegated the task; it ends on its own.
  void watch(server, desk, tasks, taskId).catch(() => undefined);
}

async function watch(
  server: McpServer,
  desk: ApprovalDesk,
  tasks: TaskService,
  taskId: string,
): Promise<void> {
  const offered = new Set<string>();
  while (server.isConnected()) {
    const task = await tasks.getTask(taskId);
    if (isTerminalTask(task) || task.runId === null) return;
    const { items } = await desk.listApprovals({ sessionId: taskSessionId(task.runId) });
    for (const approval of items) {
      if (offered.has(approval.approvalId)) continue;
      offered.add(approval.approvalId);
      // Each offer settles on its own; a failed one leaves the approval open (see above).
      void offer(server, desk, taskId, approval).catch(() => undefined);
    }
    await sleep(POLL_MS);
  }
}

async function offer(server: McpServer, desk: ApprovalDesk, taskId: string, approval: PendingApproval) {
  const answer = await server.server.elicitInput({
    mode: 'form',
    message: question(taskId, approval),
    requestedSchema: decisionSchema,
  });
  if (answer.action === 'cancel') return;
  const content = answer.content ?? {};
  const accepted =
    answer.action === 'accept' && (content.decision === 'approve' || content.decision === 'deny');
  const decision = accepted ? (content.decision as 'approve' | 'deny') : 'deny';
  const client = server.server.getClientVersion()?.name ?? 'unknown';
  const reason =
    typeof content.reason === 'string' && content.reason !== ''
      ? content.reason
      : answer.action === 'decline'
        ? `declined by the user of ${client}`
        : undefined;
  await desk.decide(approval.approvalId, {
    decision,
    inputHash: approval.inputHash,
    by: `mcp:${client}`,
    channel: 'person',
    ...(reason !== undefined && { reason }),
  });
}
