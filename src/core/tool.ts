import { z } from 'zod';
import type { ErrorBody } from './errors.js';
import { UserError } from './errors.js';

/** The caller identity recorded on a session (`auth.initiator` / `auth.current`). */
export interface CallerIdentity {
  kind: 'anonymous' | 'bearer' | 'basic' | 'mcp' | 'cli' | 'task';
  subject: string;
}

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  /** Aborted when the run is cancelled, times out or loses its lease. */
  signal: AbortSignal;
  runId: string;
  sessionId: string;
  toolCallId: string;
  /** The session's durable JSON bag, as of the start of this run. */
  context: Readonly<Record<string, unknown>>;
  /** Who started the session and who sent the latest message, when known. */
  auth?: { initiator?: CallerIdentity; current?: CallerIdentity };
}

/** A tool the model can call. `inputSchema` is a zod schema, as in the AI SDK. */
export interface Tool<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<Input>;
  readonly execute: (input: Input, context: ToolContext) => Output | Promise<Output>;
  /** Safe to run again after a crash between `tool.started` and `tool.result`. */
  readonly idempotent: boolean;
  /** Reserved for human approval; recorded in the definition, enforced by a later issue. */
  readonly needsApproval: boolean;
}

/** Options for {@link tool}. */
export interface ToolOptions<Input, Output> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  execute: (input: Input, context: ToolContext) => Output | Promise<Output>;
  idempotent?: boolean;
  needsApproval?: boolean;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Defines a tool. Names follow the providers' rule (`[a-zA-Z0-9_-]{1,64}`). */
export function tool<Input, Output>(options: ToolOptions<Input, Output>): Tool<Input, Output> {
  if (!TOOL_NAME.test(options.name)) {
    throw new UserError('invalid_tool', `tool name ${JSON.stringify(options.name)} must match ${TOOL_NAME}`);
  }
  if (typeof options.execute !== 'function') {
    throw new UserError('invalid_tool', `tool ${options.name}: execute must be a function`);
  }
  if (!(options.inputSchema instanceof z.ZodType)) {
    throw new UserError('invalid_tool', `tool ${options.name}: inputSchema must be a zod schema`);
  }
  return Object.freeze({
    name: options.name,
    description: options.description,
    inputSchema: options.inputSchema,
    execute: options.execute,
    idempotent: options.idempotent ?? false,
    needsApproval: options.needsApproval ?? false,
  });
}

/** A tool with its types erased, as agents hold them. */
// biome-ignore lint/suspicious/noExplicitAny: tools of any input/output type live in one list.
export type AnyTool = Tool<any, any>;

/** The JSON Schema of a tool's input, as sent to the model and hashed into the agent definition. */
export function toolInputJsonSchema(candidate: AnyTool): Record<string, unknown> {
  return z.toJSONSchema(candidate.inputSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The outcome of one tool call: data either way, never an exception (STYLE.md point 3). */
export type ToolOutcome = { ok: true; output: unknown } | { ok: false; output: null; error: ErrorBody };
