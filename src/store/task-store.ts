import type { ListOptions, Page } from './page.js';

/** A delegated task as stored, backed by a run (docs/delegation.md). */
export interface TaskRecord {
  id: string;
  profile: string;
  args: Record<string, unknown>;
  namespace: string;
  idempotencyKey: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: { iteration: number; phase: string } | null;
  result: unknown;
  error: { kind: string; message: string } | null;
  costUsd: number;
  runId: string | null;
  feedback: FeedbackRecord[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface FeedbackRecord {
  id: string;
  score: number;
  label?: string;
  notes: string;
  by: 'agent' | 'user' | 'downstream-judge';
  at: string;
}

export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    | 'status'
    | 'progress'
    | 'result'
    | 'error'
    | 'costUsd'
    | 'runId'
    | 'startedAt'
    | 'completedAt'
    | 'feedback'
  >
>;

export interface NewTask {
  id: string;
  profile: string;
  args: Record<string, unknown>;
  namespace: string;
  idempotencyKey: string;
  runId: string | null;
}

/** Options of {@link TaskStore.listTasks}. */
export interface ListTasksOptions extends ListOptions {
  namespace?: string;
  profile?: string;
  since?: string;
  status?: TaskRecord['status'][];
}

/** The port of delegated tasks; every implementation passes `taskStoreContract`. */
export interface TaskStore {
  createTask(task: NewTask): Promise<{ task: TaskRecord; created: boolean }>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined>;
  findTaskByRunId(runId: string): Promise<TaskRecord | undefined>;
  /** Newest first. */
  listTasks(options: ListTasksOptions): Promise<Page<TaskRecord>>;
  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord>;
  /** Deletes the oldest terminal tasks beyond `keep`; returns how many were deleted. */
  pruneTasks(keep: number): Promise<number>;
}
