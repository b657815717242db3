import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallerIdentity } from '../core/tool.js';
import type { SubmitTaskInput, SubmitTaskResult, TaskService } from '../delegation/task-types.js';
import type { ApprovalDesk } from './approval-tools.js';
import { registerApprovalTools } from './approval-tools.js';
import { codeEstimateMs, delegationEntry, feedbackTaskId, researchEstimateMs } from './delegation-wire.js';
import { offerTaskApprovals } from './elicit-approvals.js';
import { toolCall } from './tool-result.js';
import {
  delegateCodeInput,
  delegateFeedbackInput,
  delegateInput,
  delegateResearchInput,
  delegationCancelInput,
  delegationHistoryInput,
  delegationStatusInput,
} from './tool-schemas.js';

/** Options of {@link createDelegationMcpServer}. */
export interface DelegationMcpServerOptions {
  tasks: TaskService;
  /** Reported in `initialize` as the server version. */
  version?: string;
  /** When given, the server also offers `approvals_list` and `approval_decide`. */
  approvals?: ApprovalDesk;
  /** Who the transport authenticated (Streamable HTTP behind `baton serve --auth`); none on stdio. */
  caller?: CallerIdentity;
  /**
   * Offer the approvals of the tasks this client delegates to its user through MCP elicitation,
   * when the client supports it (needs `approvals` and a connection that stays open: stdio).
   */
  elicitApprovals?: boolean;
}

/**
 * The MCP server other agents delegate to: one tool per delegation operation, each a thin call
 * into the task service. Transports (stdio, Streamable HTTP) attach to the returned server.
 */
export function createDelegationMcpServer(options: DelegationMcpServerOptions): McpServer {
  const { tasks, approvals } = options;
  const server = new McpServer({ name: 'baton', version: options.version ?? '0.1.0' });
  const submit = async (input: SubmitTaskInput): Promise<SubmitTaskResult> => {
    const submitted = await tasks.submitTask(input);
    if (options.elicitApprovals && approvals) offerTaskApprovals(server, approvals, tasks, submitted.taskId);
    return submitted;
  };

  server.registerTool(
    'delegate_code',
    {
      description:
        'Hand a coding goal to Baton: a coding agent works on a sandboxed checkout of repoRoot, the patch is validated ' +
        '(tests, typecheck, forbidden paths, size, secrets). Returns { taskId, reused, estimatedDurationMs } at once; ' +
        'poll delegation_status.',
      inputSchema: delegateCodeInput,
    },
    ({ namespace, ...args }) =>
      toolCall({ namespace, ...args }, async () => ({
        ...(await submit({ profile: 'coder', args, namespace })),
        estimatedDurationMs: codeEstimateMs(args.variants),
      })),
  );

  server.registerTool(
    'delegate_research',
    {
      description:
        'Hand a research question to Baton. Facts pass a fail-closed gate (verbatim passage found in its source). ' +
        'Returns { taskId, reused, estimatedDurationMs } at once; poll delegation_status.',
      inputSchema: delegateResearchInput,
    },
    ({ namespace, ...args }) =>
      toolCall({ namespace, ...args }, async () => ({
        ...(await submit({ profile: 'researcher', args, namespace })),
        estimatedDurationMs: researchEstimateMs(args.variants),
      })),
  );

  server.registerTool(
    'delegate',
    {
      description: 'Hand a message to any loaded Baton agent by name. Returns { taskId, reused } at once.',
      inputSchema: delegateInput,
    },
    ({ agent, message, namespace }) =>
      toolCall({ agent, message, namespace }, () =>
        submit({ profile: `agent:${agent}`, args: { message }, namespace }),
      ),
  );

  server.registerTool(
    'delegation_status',
    {
      description: 'The task: status, progress, result, error, costUsd, timestamps.',
      inputSchema: delegationStatusInput,
    },
    ({ taskId }) => toolCall({ taskId }, () => tasks.getTask(taskId)),
  );

  server.registerTool(
    'delegation_history',
    {
      description:
        'Past delegations, newest first, as { delegations: [{ taskId, profile, namespace, args, status, feedback, ' +
        'costUsd?, startedAt, completedAt? }] }.',
      inputSchema: delegationHistoryInput,
    },
    (filters) =>
      toolCall(filters, async () => ({ delegations: (await tasks.history(filters)).map(delegationEntry) })),
  );

  server.registerTool(
    'delegate_feedback',
    {
      description:
        'Rate a delegation, or an artifact or outcome of one (score 0..1); it shows in delegation_history. ' +
        'Returns { recorded: true, id }.',
      inputSchema: delegateFeedbackInput,
    },
    ({ refersTo, rating, by }) =>
      toolCall({ refersTo, rating, by }, async () => {
        const record = await tasks.attachFeedback(feedbackTaskId(refersTo), { ...rating, by });
        return { recorded: true, id: record.id };
      }),
  );

  server.registerTool(
    'delegation_cancel',
    {
      description: 'Cancel a task; returns the task, now cancelled unless it had already finished.',
      inputSchema: delegationCancelInput,
    },
    ({ taskId }) => toolCall({ taskId }, () => tasks.cancelTask(taskId)),
  );

  if (approvals) registerApprovalTools(server, approvals, options.caller);
  return server;
}
