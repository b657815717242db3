// The JSON shapes of the HTTP API (`/v1`): the one module both the server that sends them and
// the client that reads them import, so the two can never disagree on a field. Type-only: the
// client loads nothing from here at run time.
import type { PendingApproval } from '../runtime/pending-gates.js';
import type { SessionView, WorkerView } from '../runtime/types.js';

export type { AnswerResult, DecisionResult } from '../runtime/gate-decisions.js';
export type { PendingApproval, PendingInput } from '../runtime/pending-gates.js';
export type { DeliverResult, RunView, SessionView, StartResult } from '../runtime/types.js';

/** `GET /v1/health`. */
export interface HealthResponse {
  ok: boolean;
  version: string;
}

/** One loaded agent as `GET /v1/agents` lists it. */
export interface AgentSummary {
  name: string;
  description?: string;
  tools: string[];
}

/**
 * A page of `GET /v1/sessions`, newest first. The list is named after what it holds (as
 * `GET /v1/tasks` answers `{ tasks }`); `nextCursor` is present while more pages follow.
 */
export interface SessionList {
  sessions: SessionView[];
  nextCursor?: string;
}

/** A page of `GET /v1/approvals?status=pending`: open approvals, newest run first. */
export interface ApprovalList {
  approvals: PendingApproval[];
  nextCursor?: string;
}

/** `POST /v1/approvals/:approvalId`. */
export interface DecisionRequest {
  decision: 'approve' | 'deny';
  reason?: string;
  inputHash?: string;
}

/** `GET /v1/workers`: the live workers announced in the store, oldest first. */
export interface WorkerList {
  workers: WorkerView[];
}
