import { ValidationError } from '../core/errors.js';
import type { TaskView } from '../delegation/task-types.js';

/**
 * The wire shapes of the MCP delegation tools where clients written for other delegation
 * servers expect them: a `delegation_history` entry, the duration hint of `delegate_code` and
 * `delegate_research`, and the `refersTo` of `delegate_feedback` (docs/mcp.md lists what differs).
 */

/** A feedback entry as `delegation_history` shows it. */
export interface DelegationFeedback {
  id: string;
  score: number;
  label?: string;
  by: 'agent' | 'user' | 'downstream-judge';
  notes: string;
  capturedAt: string;
}

/** One `delegation_history` entry. */
export interface DelegationEntry {
  taskId: string;
  profile: string;
  namespace?: string;
  args: Record<string, unknown>;
  status: TaskView['status'];
  feedback: DelegationFeedback[];
  costUsd: number;
  startedAt: string;
  completedAt?: string;
}

/** A task as a `delegation_history` entry; a task not started yet shows when it was submitted. */
export function delegationEntry(task: TaskView): DelegationEntry {
  return {
    taskId: task.id,
    profile: task.profile,
    namespace: task.namespace,
    args: task.args,
    status: task.status,
    feedback: task.feedback.map((record) => ({
      id: record.id,
      score: record.score,
      ...(record.label !== undefined && { label: record.label }),
      by: record.by,
      notes: record.notes,
      capturedAt: record.at,
    })),
    // Always present (0 before anything was spent), as clients of the seed's server expect.
    costUsd: task.costUsd,
    startedAt: task.startedAt ?? task.createdAt,
    ...(task.completedAt !== null && { completedAt: task.completedAt }),
  };
}

// Rough hints for a poller, not promises: a coder candidate takes minutes; variants run at once.
const CODE_ESTIMATE_MS = 6 * 60_000;
const CODE_FAN_OUT_ESTIMATE_MS = 8 * 60_000;
const RESEARCH_ESTIMATE_MS = 2 * 60_000;

/** How long a `delegate_code` task is expected to take, as `estimatedDurationMs`. */
export function codeEstimateMs(variants: number | undefined): number {
  return (variants ?? 1) > 1 ? CODE_FAN_OUT_ESTIMATE_MS : CODE_ESTIMATE_MS;
}

/** How long a `delegate_research` task is expected to take, as `estimatedDurationMs`. */
export function researchEstimateMs(variants: number | undefined): number {
  return (variants ?? 1) > 1 ? RESEARCH_ESTIMATE_MS * 2 : RESEARCH_ESTIMATE_MS;
}

/** What `delegate_feedback` rates: a delegation (its task id), or an artifact or outcome of one. */
export const FEEDBACK_KINDS = ['delegation', 'artifact', 'outcome', 'task'] as const;

const TASK_ID = /^task_[A-Za-z0-9]+$/;

/**
 * The task a `refersTo` rates. Baton keeps feedback on tasks, so an `artifact` or `outcome`
 * names the task that produced it: its `ref` is that task id, alone or followed by `#` and the
 * artifact or outcome (`task_…#src/app.ts`).
 */
export function feedbackTaskId(refersTo: { kind: (typeof FEEDBACK_KINDS)[number]; ref: string }): string {
  if (refersTo.kind === 'delegation' || refersTo.kind === 'task') return refersTo.ref;
  const taskId = refersTo.ref.split('#')[0] ?? '';
  if (!TASK_ID.test(taskId)) {
    throw new ValidationError(
      `refersTo.ref: feedback on an ${refersTo.kind} names the task that produced it: "<taskId>" or "<taskId>#<${refersTo.kind}>"`,
      'refersTo.ref',
    );
  }
  return taskId;
}
