import type { MessagePriority } from './events.js';

/**
 * What the tools and the loop of a run ask of the runtime about its background children
 * (`agent.asBackgroundTool()`, docs/multi-agent.md): a port, so that `loop/` stays free of the
 * store; the composition root gives the store-backed one (`delegation/child-tasks.ts`).
 */
export interface ChildTasks {
  /**
   * Starts `agent` on `input` as a durable task, child of `parentSessionId`. The same
   * `toolCallId` always names the same task, so a spawn repeated after a crash starts nothing new.
   */
  spawn(request: {
    parentSessionId: string;
    toolCallId: string;
    agent: string;
    input: string;
  }): Promise<{ taskId: string }>;
  /**
   * Delivers `text` into the session of child `to` of `parentSessionId`; false (nothing
   * written) when `to` is not a child of that session, or has ended.
   */
  send(request: {
    parentSessionId: string;
    to: string;
    text: string;
    priority: MessagePriority;
  }): Promise<boolean>;
  /** The task ids of every background child `parentSessionId` started, whatever their status. */
  list(parentSessionId: string): Promise<string[]>;
}

/** The namespace of the tasks a session starts as its background children. */
export function childNamespace(parentSessionId: string): string {
  return `session:${parentSessionId}`;
}

/** The message a parent session is sent when a background child ends. */
export function taskCompletedMessage(taskId: string, summary: string): string {
  return `<task-completed task_id="${taskId}">${summary}</task-completed>`;
}

const TASK_COMPLETED = /^<task-completed task_id="([^"]+)">/;

/** The task id a `<task-completed>` message is about, if it is one. */
export function completedTaskId(text: string): string | undefined {
  return TASK_COMPLETED.exec(text)?.[1];
}
