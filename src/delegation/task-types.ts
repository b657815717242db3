import { TERMINAL_TASK_STATUSES } from '../store/records.js';
import type { FeedbackRecord, TaskRecord } from '../store/task-store.js';

/** What {@link TaskService.submitTask} accepts. */
export interface SubmitTaskInput {
  /** `coder`, `researcher` or `agent:<name>`. */
  profile: string;
  args: Record<string, unknown>;
  /** Groups tasks for history and idempotency (default `default`). */
  namespace?: string | undefined;
  /** Same key, same task. Default: a hash of the canonical profile, args and namespace. */
  idempotencyKey?: string | undefined;
}

/** What submitting returns, at once: the task id and whether an existing task was reused. */
export interface SubmitTaskResult {
  taskId: string;
  reused: boolean;
}

/** A task as the API shows it: the record plus `taskId` (the same as `id`), matching the submit result. */
export type TaskView = TaskRecord & { taskId: string };

/** What {@link TaskService.attachFeedback} accepts. */
export interface FeedbackInput {
  /** 0..1. */
  score: number;
  label?: string | undefined;
  notes: string;
  by: FeedbackRecord['by'];
}

/** Filters of {@link TaskService.history}. */
export interface HistoryOptions {
  namespace?: string | undefined;
  profile?: string | undefined;
  /** ISO timestamp: tasks created at or after it. */
  since?: string | undefined;
  /** Default 50, capped at 500. */
  limit?: number | undefined;
}

/** Delegation: durable tasks backed by runs (docs/delegation.md). */
export interface TaskService {
  submitTask(input: SubmitTaskInput): Promise<SubmitTaskResult>;
  /** Throws `NotFoundError` for an unknown id. */
  getTask(taskId: string): Promise<TaskView>;
  /** Aborts the work and marks the task `cancelled`; a terminal task is returned unchanged. */
  cancelTask(taskId: string): Promise<TaskView>;
  attachFeedback(taskId: string, feedback: FeedbackInput): Promise<FeedbackRecord>;
  /** Newest first. */
  history(options?: HistoryOptions): Promise<TaskView[]>;
}

/** Default namespace of tasks submitted without one. */
export const DEFAULT_NAMESPACE = 'default';

/** Default and maximum page size of {@link TaskService.history}. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;

/** Whether a task has finished (completed, failed or cancelled); finished tasks never change status again. */
export function isTerminalTask(task: Pick<TaskRecord, 'status'>): boolean {
  return TERMINAL_TASK_STATUSES.includes(task.status);
}

/** Terminal tasks kept by default before the oldest are evicted. */
export const DEFAULT_TASK_RETENTION = 1000;
