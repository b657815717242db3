import { z } from 'zod';
import type { ChildTasks } from './child-tasks.js';
import { BatonError, UserError } from './errors.js';
import type { AnyTool, Tool, ToolContext } from './tool.js';
import { tool } from './tool.js';

/** What `agent.asBackgroundTool()` accepts. */
export interface BackgroundToolOptions {
  /** The tool's name (default `<agent>_in_background`, dots and other signs as `_`). */
  name?: string;
  /** What the model is told (default: the agent's description, and that it answers later). */
  description?: string;
}

/** What a background tool needs of the agent it starts (`agent.asBackgroundTool()` passes the agent). */
export interface ChildAgentRef {
  readonly name: string;
  readonly description: string | undefined;
}

/** The child agent of each background tool, so that the runtime serves its task runs. */
const childAgents = new WeakMap<AnyTool, ChildAgentRef>();

/** The agent a tool made by {@link backgroundTool} starts, if it is one (`childAgentOf` types it). */
export function backgroundChildOf(candidate: AnyTool): ChildAgentRef | undefined {
  return childAgents.get(candidate);
}

function childTasksOf(context: ToolContext, name: string): ChildTasks {
  if (context.children === undefined) {
    throw new UserError(
      'children_unavailable',
      `tool ${name} starts a background child, which needs a durable runtime (createRuntime), not a bare runTurn`,
    );
  }
  return context.children;
}

/**
 * A tool that starts `agent` on its `input` as a durable task and returns `{ taskId }` at once;
 * the child's outcome reaches the caller's session later as a background message
 * `<task-completed task_id="…">summary</task-completed>`. Idempotent: a call repeated after a
 * crash finds the task its first attempt started, by its `toolCallId`.
 */
export function backgroundTool(
  agent: ChildAgentRef,
  options: BackgroundToolOptions = {},
): Tool<{ input: string }, { taskId: string }> {
  const name = options.name ?? `${agent.name.replace(/[^a-zA-Z0-9_-]/g, '_')}_in_background`;
  const defined = tool({
    name,
    description:
      options.description ??
      `Starts agent ${agent.name}${agent.description ? ` (${agent.description})` : ''} in the background and returns its taskId at once; its answer arrives later as <task-completed task_id="...">.`,
    inputSchema: z.object({ input: z.string().min(1) }),
    idempotent: true,
    execute: ({ input }, context) =>
      childTasksOf(context, name).spawn({
        parentSessionId: context.sessionId,
        toolCallId: context.toolCallId,
        agent: agent.name,
        input,
      }),
  });
  childAgents.set(defined, agent);
  return defined;
}

/** The model's name of the built-in {@link sendMessage} tool. */
export const SEND_MESSAGE_TOOL = 'send_message';

/**
 * The built-in tool a coordinator addresses a running background child with (`send_message`):
 * `to` is the child's `taskId`. A child that does not exist, has ended or is not this session's
 * is `unknown_target`, and nothing is written anywhere. Agents with a background tool get it.
 */
export const sendMessage: Tool<
  { to: string; text: string; priority?: 'user' | 'background' | undefined },
  { delivered: true }
> = tool({
  name: SEND_MESSAGE_TOOL,
  description:
    'Sends a message to a running background child, by its taskId. priority user (default) reaches it at its next step; background at the end of its turn.',
  inputSchema: z.object({
    to: z.string().min(1),
    text: z.string().min(1),
    priority: z.enum(['user', 'background']).optional(),
  }),
  execute: async ({ to, text, priority }, context) => {
    const delivered = await childTasksOf(context, SEND_MESSAGE_TOOL).send({
      parentSessionId: context.sessionId,
      to,
      text,
      priority: priority ?? 'user',
    });
    if (!delivered)
      throw new BatonError('unknown_target', `no running background child ${to} of this session`);
    return { delivered: true };
  },
});
