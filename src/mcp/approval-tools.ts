import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { CallerIdentity } from '../core/tool.js';
import { principalOf } from '../runtime/gate-decisions.js';
import type { Runtime } from '../runtime/types.js';
import { toolCall } from './tool-result.js';

/** What the approval tools need of a runtime. */
export type ApprovalDesk = Pick<Runtime, 'listApprovals' | 'decide'>;

const approvalsListInput = {
  sessionId: z.string().min(1).max(256).optional().describe('Only this session'),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(256).optional(),
};

const approvalDecideInput = {
  approvalId: z.string().min(1).max(256),
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(4_000).optional().describe('Why; the model sees it when denied'),
  inputHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe('The inputHash the person was shown'),
};

/**
 * `approvals_list` and `approval_decide`: an orchestrating agent relays a person's decision.
 * Decisions are recorded as `by: 'mcp:<client name>'` (over stateless HTTP `mcp:<principal>`), and a `needsApproval: 'human'` tool
 * refuses them (`human_required`): a tool call is not a person. Over HTTP, `caller` (who the
 * server authenticated) must be the session's initiator or the admin token (`forbidden`).
 */
export function registerApprovalTools(
  server: McpServer,
  desk: ApprovalDesk,
  caller: CallerIdentity | undefined,
): void {
  server.registerTool(
    'approvals_list',
    {
      description:
        'Tool calls of Baton runs waiting for a decision, newest first: { approvals: [{ approvalId, sessionId, ' +
        'name, input, inputHash, requestedAt, expiresAt?, runPath }], nextCursor? }.',
      inputSchema: approvalsListInput,
    },
    (query) =>
      toolCall(query, async () => {
        const page = await desk.listApprovals(definedOnly(query));
        return {
          approvals: page.items,
          ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
        };
      }),
  );

  server.registerTool(
    'approval_decide',
    {
      description:
        "Relay a person's decision on an approval: approve or deny (with a reason). Returns { approvalId, decision, by, decidedAt }.",
      inputSchema: approvalDecideInput,
    },
    ({ approvalId, decision, ...details }) =>
      toolCall({ approvalId, decision, ...details }, () => {
        return desk.decide(approvalId, {
          decision,
          ...definedOnly(details),
          by: `mcp:${relayName(server, caller)}`,
          channel: 'mcp',
          ...(caller !== undefined && { caller }),
        });
      }),
  );
}

/**
 * Who relayed the decision: the client's name from its `initialize`, or — over stateless HTTP,
 * where each request has its own server that never saw it — the principal the server
 * authenticated (`basic:ann`), so the log still says who decided.
 */
function relayName(server: McpServer, caller: CallerIdentity | undefined): string {
  const client = server.server.getClientVersion()?.name;
  if (client !== undefined) return client;
  return caller === undefined ? 'unknown' : principalOf(caller);
}

/** The entries whose value is defined: optional tool arguments arrive as `undefined`. */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
