import { z } from 'zod';
import type { ChildTasks } from './child-tasks.js';
import type { SessionContext } from './context-key.js';
import type { ErrorBody } from './errors.js';
import { UserError } from './errors.js';
import { isPromiseLike } from './promise-like.js';
import type { StandardIssue, StandardResult, StandardSchemaV1 } from './standard-schema.js';
import { describeIssue, isStandardSchema } from './standard-schema.js';

/** The caller identity recorded on a session (`auth.initiator` / `auth.current`). */
export interface CallerIdentity {
  kind: 'anonymous' | 'bearer' | 'basic' | 'mcp' | 'cli' | 'task' | 'channel' | 'schedule';
  subject: string;
  /** Sent the admin token (`BATON_ADMIN_TOKEN`): may decide the approvals of any session. */
  admin?: true;
}

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  /** Aborted when the run is cancelled, times out or loses its lease. */
  signal: AbortSignal;
  runId: string;
  sessionId: string;
  toolCallId: string;
  /**
   * The session's durable context, read and written through typed keys (`contextKey`); writes
   * commit with this call's `tool.result`, or not at all (docs/hitl.md, "Durable session context").
   */
  context: SessionContext;
  /** Who started the session and who sent the latest message, when known. */
  auth?: { initiator?: CallerIdentity; current?: CallerIdentity };
  /** The run's background children, when the runtime has them (`agent.asBackgroundTool()`). */
  children?: ChildTasks;
}

/**
 * A tool's input schema: any Standard Schema (a zod 4 schema such as `z.object({...})`, from
 * whichever copy of zod the caller has) that can describe itself as JSON Schema for the model.
 * `Input` is what `execute` receives: the schema's parsed output.
 */
export type ToolInputSchema<Input = unknown> = StandardSchemaV1<unknown, Input>;

/** A tool the model can call. `inputSchema` is a zod schema (or another Standard Schema), as in the AI SDK. */
export interface Tool<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: ToolInputSchema<Input>;
  readonly execute: (input: Input, context: ToolContext) => Output | Promise<Output>;
  /** Safe to run again after a crash between `tool.started` and `tool.result`. */
  readonly idempotent: boolean;
  /** Whether a call waits for a decision before it runs (docs/hitl.md); absent: never. */
  readonly needsApproval?: NeedsApproval<Input>;
  /** How long a request for approval stays open; past it the call fails with `approval_expired`. */
  readonly approvalExpiresInMs?: number;
}

/**
 * When a tool call needs a decision first: always (`true`), by rule (a function of the parsed
 * input), or always and only by a person (`'human'`: neither the runtime's `approvals` policy
 * nor an MCP tool call may decide it).
 */
export type NeedsApproval<Input = unknown> =
  | boolean
  | 'human'
  | ((input: Input, context: ToolContext) => boolean | Promise<boolean>);

/** Options for {@link tool}. */
export interface ToolOptions<Input, Output> {
  /** `[a-zA-Z0-9_-]{1,64}`, unique within an agent. */
  name: string;
  description: string;
  /** Validates the model's input before `execute` runs; its JSON Schema is what the model sees. */
  inputSchema: ToolInputSchema<Input>;
  execute: (input: Input, context: ToolContext) => Output | Promise<Output>;
  /** Safe to run again after a crash between `tool.started` and `tool.result` (default false). */
  idempotent?: boolean;
  /** A call waits for a decision before it runs: `true`, `'human'`, or a rule on the input. */
  needsApproval?: NeedsApproval<Input>;
  /** How long a request for approval stays open, in ms (default: until decided). */
  approvalExpiresInMs?: number;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Defines a tool. Names follow the providers' rule (`[a-zA-Z0-9_-]{1,64}`); the input schema must
 * be a Standard Schema that converts to JSON Schema (zod 4 does).
 */
export function tool<Input, Output>(options: ToolOptions<Input, Output>): Tool<Input, Output> {
  if (!TOOL_NAME.test(options.name)) {
    throw new UserError('invalid_tool', `tool name ${JSON.stringify(options.name)} must match ${TOOL_NAME}`);
  }
  if (typeof options.execute !== 'function') {
    throw new UserError('invalid_tool', `tool ${options.name}: execute must be a function`);
  }
  if (!isStandardSchema(options.inputSchema)) {
    throw new UserError(
      'invalid_tool',
      `tool ${options.name}: inputSchema must be a zod 4 schema (or another Standard Schema), e.g. z.object({ ... })`,
    );
  }
  checkApprovalOptions(options);
  const defined: Tool<Input, Output> = Object.freeze({
    name: options.name,
    description: options.description,
    inputSchema: options.inputSchema,
    execute: options.execute,
    idempotent: options.idempotent ?? false,
    ...(options.needsApproval !== undefined &&
      options.needsApproval !== false && { needsApproval: options.needsApproval }),
    ...(options.approvalExpiresInMs !== undefined && { approvalExpiresInMs: options.approvalExpiresInMs }),
  });
  toolInputJsonSchema(defined);
  return defined;
}

/** A wrong `needsApproval` must fail at definition, not let a sensitive tool run unguarded. */
function checkApprovalOptions(
  options: Pick<ToolOptions<never, unknown>, 'name' | 'approvalExpiresInMs'> & { needsApproval?: unknown },
): void {
  const { needsApproval, approvalExpiresInMs } = options;
  const valid =
    needsApproval === undefined ||
    typeof needsApproval === 'boolean' ||
    needsApproval === 'human' ||
    typeof needsApproval === 'function';
  if (!valid) {
    throw new UserError(
      'invalid_tool',
      `tool ${options.name}: needsApproval must be true, false, 'human' or a function of the input`,
    );
  }
  if (
    approvalExpiresInMs !== undefined &&
    !(Number.isSafeInteger(approvalExpiresInMs) && approvalExpiresInMs > 0)
  ) {
    throw new UserError(
      'invalid_tool',
      `tool ${options.name}: approvalExpiresInMs must be a positive integer`,
    );
  }
}

/** A tool with its types erased, as agents hold them. */
// biome-ignore lint/suspicious/noExplicitAny: tools of any input/output type live in one list.
export type AnyTool = Tool<any, any>;

/**
 * The JSON Schema of a tool's input, as sent to the model and hashed into the agent definition.
 * A zod schema converts through zod itself (any zod 4 copy: the conversion reads the schema's
 * definition, not its class), which keeps definition hashes stable; another Standard Schema
 * converts through its own Standard JSON Schema support.
 */
export function toolInputJsonSchema(candidate: AnyTool): Record<string, unknown> {
  const schema = candidate.inputSchema;
  let converted = jsonSchemas.get(schema);
  if (converted === undefined) {
    converted = convertInputSchema(candidate);
    jsonSchemas.set(schema, converted);
  }
  return converted;
}

/**
 * Each input schema's JSON Schema, converted once: every run's roster and definition hash asks
 * for it, and zod's conversion walks the whole schema. Callers treat the result as read-only.
 */
const jsonSchemas = new WeakMap<object, Record<string, unknown>>();

function convertInputSchema(candidate: AnyTool): Record<string, unknown> {
  const schema = candidate.inputSchema;
  const props = schema['~standard'];
  if (props.vendor === 'zod' && '_zod' in schema) {
    return z.toJSONSchema(schema as unknown as z.ZodType, { unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
  }
  if (props.jsonSchema !== undefined) return props.jsonSchema.input({ target: 'draft-2020-12' });
  throw new UserError(
    'invalid_tool',
    `tool ${candidate.name}: the ${props.vendor} inputSchema cannot be converted to JSON Schema for the model`,
  );
}

/** The validated input of a tool call, or the problems with it, each as `path: message`. */
export type ToolInputCheck<Input> = { ok: true; value: Input } | { ok: false; problems: string[] };

/** Validates `input` with the tool's schema (Standard Schema `validate`, sync or async). */
export async function validateToolInput<Input>(
  candidate: Tool<Input, unknown>,
  input: unknown,
): Promise<ToolInputCheck<Input>> {
  return checkToolInput(candidate, input);
}

/**
 * {@link validateToolInput}, synchronous when the schema is (zod's is): the result itself rather
 * than a promise of it, so that the loop's every tool call need not wait a turn for it.
 */
export function checkToolInput<Input>(
  candidate: Tool<Input, unknown>,
  input: unknown,
): ToolInputCheck<Input> | Promise<ToolInputCheck<Input>> {
  const result = candidate.inputSchema['~standard'].validate(input);
  return isPromiseLike(result) ? Promise.resolve(result).then(toInputCheck) : toInputCheck(result);
}

function toInputCheck<Input>(result: StandardResult<Input>): ToolInputCheck<Input> {
  if (result.issues !== undefined) {
    return { ok: false, problems: result.issues.map((issue: StandardIssue) => describeIssue(issue)) };
  }
  return { ok: true, value: result.value };
}

/** The outcome of one tool call: data either way, never an exception (a failing tool is a result the model sees). */
export type ToolOutcome = { ok: true; output: unknown } | { ok: false; output: null; error: ErrorBody };
