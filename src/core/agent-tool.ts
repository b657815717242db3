import { z } from 'zod';
import { UserError } from './errors.js';
import { canonicalJson } from './hash.js';
import type { NeedsApproval, Tool, ToolInputSchema } from './tool.js';
import { tool } from './tool.js';

/** Runs N children of one agent with at most `maxParallel` running at once. */
export interface FanOutOptions {
  maxParallel: number;
}

/** What `agent.asTool()` accepts. */
export interface AgentToolOptions {
  /** The tool's name (default: the agent's name, with characters tools may not have replaced by `_`). */
  name?: string;
  /** What the model is told about the tool (default: the agent's description). */
  description?: string;
  needsApproval?: NeedsApproval<unknown>;
  /**
   * The tool's input (default `{ input: string }`): the child's message is the `input` string
   * of a `{ input }` object, else the canonical JSON of the input.
   */
  inputSchema?: ToolInputSchema<unknown>;
  /**
   * Fan-out: the input is `{ inputs: string[] }`, one child per entry, at most `maxParallel`
   * running at once; the result lists every outcome in the order they settled.
   */
  fanOut?: FanOutOptions;
}

/** What making a tool of an agent reads of it (every `Agent` has it; agent.ts imports this file). */
export interface ToolableAgent {
  readonly name: string;
  readonly description: string | undefined;
}

/**
 * A tool whose call runs `agent` as a child run in a child session (docs/multi-agent.md): the
 * loop recognises it by `subagent` and never calls `execute`, which only says it needs a runtime.
 */
export interface AgentTool<A extends ToolableAgent = ToolableAgent> extends Tool<unknown, unknown> {
  readonly subagent: A;
  readonly fanOut: Readonly<FanOutOptions> | undefined;
}

/** One child's outcome in a fan-out call's result. */
export interface FanOutOutcome {
  index: number;
  childSessionId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  output: unknown;
}

/** A fan-out call's result: every outcome in completion order, and the cancelled children. */
export interface FanOutResult {
  outcomes: FanOutOutcome[];
  cancelled: string[];
}

const defaultInput = z.object({ input: z.string().describe('What to ask the agent') });
const fanOutInput = z.object({
  inputs: z.array(z.string()).min(1).max(1000).describe('One request per child run'),
});

/** The message a child run starts with, for one input of an agent tool. */
export function childMessage(input: unknown): string {
  if (typeof input === 'string') return input;
  const text = (input as { input?: unknown } | null)?.input;
  return typeof text === 'string' ? text : canonicalJson(input);
}

/** `agent.asTool(options)`: see {@link AgentToolOptions}. */
export function agentAsTool<A extends ToolableAgent>(agent: A, options: AgentToolOptions = {}): AgentTool<A> {
  const maxParallel = options.fanOut?.maxParallel;
  if (maxParallel !== undefined && !(Number.isSafeInteger(maxParallel) && maxParallel > 0)) {
    throw new UserError(
      'invalid_tool',
      `agent tool ${agent.name}: fanOut.maxParallel must be a positive integer`,
    );
  }
  const base = tool<unknown, unknown>({
    name: options.name ?? agent.name.replace(/[^a-zA-Z0-9_-]/g, '_'),
    description: options.description ?? agent.description ?? `Ask the ${agent.name} agent`,
    inputSchema: options.inputSchema ?? (options.fanOut ? fanOutInput : defaultInput),
    execute: () => {
      throw new UserError(
        'children_unavailable',
        `agent tool ${agent.name} runs its agent in a child session: run it in a runtime (createRuntime)`,
      );
    },
    ...(options.needsApproval !== undefined && { needsApproval: options.needsApproval }),
  });
  return Object.freeze({
    ...base,
    subagent: agent,
    fanOut: options.fanOut === undefined ? undefined : Object.freeze({ ...options.fanOut }),
  });
}
