import { UserError } from './errors.js';

/** Where a guardrail looks: each user message, the final answer, or a tool call before it runs. */
export type GuardrailKind = 'input' | 'output' | 'tool';

/**
 * What a tripped guardrail asks for: fail the run (or refuse the tool call), or ask a person —
 * `escalate` makes a tool call wait for an approval; on input and output it fails the run as
 * `block` does (docs/multi-agent.md).
 */
export type GuardrailAction = 'block' | 'escalate';

/** What a guardrail of each kind is given. */
export interface GuardrailValueByKind {
  input: string;
  output: string;
  tool: { toolCallId: string; name: string; input: unknown };
}

/** Where the checked value comes from. */
export interface GuardrailContext {
  sessionId: string;
  runId: string;
  /** The agent active when the check ran. */
  agent: string;
}

/** A guardrail's answer: `tripwire: true` stops what it checked. */
export interface GuardrailVerdict {
  tripwire: boolean;
  reason?: string;
  /** Default `block`. */
  action?: GuardrailAction;
}

/** What `guardrail` accepts. */
export interface GuardrailOptions<K extends GuardrailKind = GuardrailKind> {
  name: string;
  on: K;
  check: (
    value: GuardrailValueByKind[K],
    context: GuardrailContext,
  ) => Promise<GuardrailVerdict> | GuardrailVerdict;
}

/** A validated guardrail, for an agent's `guardrails`. */
export type Guardrail<K extends GuardrailKind = GuardrailKind> = Readonly<GuardrailOptions<K>>;

/** Any guardrail, whatever it checks. */
export type AnyGuardrail = { [K in GuardrailKind]: Guardrail<K> }[GuardrailKind];

const KINDS: readonly string[] = ['input', 'output', 'tool'];

/** Defines a guardrail; a bad name, kind or check fails here, not mid-run. */
export function guardrail<K extends GuardrailKind>(options: GuardrailOptions<K>): Guardrail<K> {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new UserError('invalid_agent', 'a guardrail needs a non-empty name');
  }
  if (!KINDS.includes(options.on)) {
    throw new UserError('invalid_agent', `guardrail ${options.name}: on must be 'input', 'output' or 'tool'`);
  }
  if (typeof options.check !== 'function') {
    throw new UserError('invalid_agent', `guardrail ${options.name}: check must be a function`);
  }
  return Object.freeze({ name: options.name, on: options.on, check: options.check });
}
