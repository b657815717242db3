import { isAbsolute } from 'node:path';
import type { LanguageModelV3, LanguageModelV3Message } from '@ai-sdk/provider';
import type { AgentLimits } from './agent-limits.js';
import type { AgentTool, AgentToolOptions } from './agent-tool.js';
import { agentAsTool } from './agent-tool.js';
import type { BackgroundToolOptions } from './background-tool.js';
import { backgroundChildOf, backgroundTool } from './background-tool.js';
import type { ContextReader } from './context-key.js';
import { UserError } from './errors.js';
import type { AnyGuardrail } from './guardrail.js';
import { hashCanonical } from './hash.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Skill, SkillSource } from './skill.js';
import { isSkill } from './skill.js';
import type { AnyTool } from './tool.js';
import { toolInputJsonSchema } from './tool.js';

export type { AgentLimits } from './agent-limits.js';

/** A model's list price in USD per million tokens, for models the price table does not know. */
export interface ModelPricing {
  inputPerMillionUsd: number;
  outputPerMillionUsd: number;
}

/** A model is named `provider:model-id` or passed as an AI SDK language model. */
export type ModelSpec = string | LanguageModelV3;

/** An MCP server whose tools become the agent's tools (prefixed `<name>__`). */
export type McpServerSpec =
  | { name: string; command: string; args?: string[]; env?: Record<string, string> }
  | { name: string; url: string; headers?: Record<string, string> };

/** What dynamic instructions receive: the session's context (read-only) and where they run. */
export interface InstructionsContext {
  context: ContextReader;
  sessionId: string;
  runId: string;
}

/**
 * An agent's system prompt: fixed text, or a function of the session's context resolved before
 * every model call (so a tool's context write shows in the next step's instructions).
 */
export type Instructions = string | ((context: InstructionsContext) => string | Promise<string>);

/**
 * Chooses which history the agent handed to sees: it gets the messages before the handoff (the
 * system message excluded) and returns those the new agent's model is shown instead. Everything
 * after the handoff is shown as it is. It must be pure: a resumed run applies it again.
 */
export type HistoryFilter = (history: readonly LanguageModelV3Message[]) => LanguageModelV3Message[];

/** What `transfer` accepts. */
export interface TransferOptions {
  /** What the hand-off tool says to the model; default names the agent and its description. */
  description?: string;
  inputFilter?: HistoryFilter;
}

/** A handoff target with options, as an agent's `handoffs` entry (see {@link transfer}). */
export interface Transfer {
  readonly kind: 'transfer';
  readonly agent: Agent;
  readonly description: string | undefined;
  readonly inputFilter: HistoryFilter | undefined;
}

/**
 * A handoff to `agent` with options: `defineAgent({ handoffs: [transfer(billing, { inputFilter })] })`.
 * A plain agent in `handoffs` is `transfer(agent)`.
 */
export function transfer(agent: Agent, options: TransferOptions = {}): Transfer {
  return Object.freeze({
    kind: 'transfer',
    agent,
    description: options.description,
    inputFilter: options.inputFilter,
  });
}

/** Whether a `handoffs` entry is a {@link transfer} rather than a plain agent. */
function isTransfer(entry: Agent | Transfer): entry is Transfer {
  return (entry as Partial<Transfer>).kind === 'transfer';
}

/**
 * `defineAgent({ compaction })`: when the transcript's estimated tokens pass `thresholdTokens`,
 * its older part is summarised into one message (`transcript.compacted`).
 */
export interface CompactionOptions {
  /**
   * Estimated prompt tokens (characters / 4) above which the transcript is compacted. Required:
   * Baton knows no model's context window, so compaction is off unless this is set.
   */
  thresholdTokens: number;
  /** Model steps kept verbatim after the summary (default 4). */
  keepRecentSteps?: number;
  /** The model that writes the summary (default: the agent's own). */
  summarizer?: ModelSpec;
}

/** What `defineAgent` accepts. */
export interface AgentOptions {
  name: string;
  description?: string;
  instructions: Instructions;
  model: ModelSpec;
  tools?: AnyTool[];
  /** Agents this one may hand the conversation to: an agent, or `transfer(agent, options)`. */
  handoffs?: (Agent | Transfer)[];
  /** Checks on user messages, the final answer and tool calls (a run uses its starting agent's). */
  guardrails?: AnyGuardrail[];
  limits?: AgentLimits;
  mcpServers?: McpServerSpec[];
  /** Retries and per-attempt timeouts of this agent's model calls; each field overrides the runtime's. */
  retry?: Partial<RetryPolicy>;
  /**
   * The model's price, for a model the price table does not know. Required with
   * `limits.maxCostUsd` then: a cost limit on a model without a price is refused (`pricing_unknown`).
   */
  pricing?: ModelPricing;
  /**
   * Skills the agent may activate (docs/project-layout.md): `defineSkill(...)` objects or absolute
   * paths of skill folders. An agent loaded from `agents/<name>/agent.ts` also gets the skills of
   * `agents/<name>/skills/`.
   */
  skills?: SkillSource[];
  /** Summarise the older transcript past a token threshold (off by default). */
  compaction?: CompactionOptions;
  /**
   * Tool results longer than this (as JSON) reach the model truncated, with a note saying so;
   * the log keeps them whole. Unlimited by default.
   */
  maxToolResultChars?: number;
  /**
   * `workspace`: on a workspace run, the instructions get a block listing the other active
   * sessions of the same principal on the same repository, refreshed every step.
   */
  awareness?: 'workspace';
}

/** A validated, frozen agent definition. */
export interface Agent {
  readonly name: string;
  readonly description: string | undefined;
  readonly instructions: Instructions;
  readonly model: ModelSpec;
  readonly tools: readonly AnyTool[];
  /** The handoff targets, in order. */
  readonly handoffs: readonly Agent[];
  /** The handoffs with their options, in the order of `handoffs`. */
  readonly transfers: readonly Transfer[];
  readonly guardrails: readonly AnyGuardrail[];
  readonly limits: Readonly<AgentLimits>;
  readonly mcpServers: readonly McpServerSpec[];
  readonly retry: Readonly<Partial<RetryPolicy>>;
  readonly pricing: Readonly<ModelPricing> | undefined;
  readonly skills: readonly SkillSource[];
  readonly compaction: Readonly<CompactionOptions> | undefined;
  readonly maxToolResultChars: number | undefined;
  readonly awareness: 'workspace' | undefined;
  /**
   * This agent as a tool that starts it as a durable background child and returns
   * `{ taskId }` at once (docs/multi-agent.md, "Background children").
   */
  asBackgroundTool(options?: BackgroundToolOptions): AnyTool;
  /**
   * This agent as another agent's tool: a call runs it as a child run in a child session and
   * its final answer is the tool's result (docs/multi-agent.md, "Agents as tools").
   */
  asTool(options?: AgentToolOptions): AgentTool<Agent>;
}

/** Whether a tool is an agent used as a tool (made by `agent.asTool()`). */
export function isAgentTool(candidate: unknown): candidate is AgentTool<Agent> {
  return (candidate as Partial<AgentTool> | undefined)?.subagent !== undefined;
}

/** What an agent's name must match (also checked where a name arrives from outside: a hand-off's `agent` execution). */
export const AGENT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

/** Defines an agent; rejects bad names and duplicate tool names at definition time. */
export function defineAgent(options: AgentOptions): Agent {
  if (!AGENT_NAME.test(options.name)) {
    throw new UserError(
      'invalid_agent',
      `agent name ${JSON.stringify(options.name)} must match ${AGENT_NAME}`,
    );
  }
  if (!isInstructions(options.instructions)) {
    throw new UserError(
      'invalid_agent',
      `agent ${options.name}: instructions must be a string or a function of the context`,
    );
  }
  if (options.model === undefined || options.model === null || options.model === '') {
    throw new UserError('invalid_agent', `agent ${options.name}: a model is required`);
  }
  const tools = options.tools ?? [];
  const seen = new Set<string>();
  for (const candidate of tools) {
    // Agent files may be plain JavaScript, so a wrong shape fails here, not mid-run.
    if (typeof candidate?.name !== 'string' || typeof candidate.execute !== 'function') {
      throw new UserError('invalid_agent', `agent ${options.name}: every tool must be made by tool()`);
    }
    if (seen.has(candidate.name)) {
      throw new UserError('invalid_agent', `agent ${options.name}: duplicate tool name ${candidate.name}`);
    }
    seen.add(candidate.name);
  }
  const transfers = (options.handoffs ?? []).map((entry) =>
    entry !== null && typeof entry === 'object' && isTransfer(entry) ? entry : transfer(entry),
  );
  for (const { agent: target } of transfers) {
    if (typeof target?.name !== 'string' || !isInstructions(target.instructions)) {
      throw new UserError(
        'invalid_agent',
        `agent ${options.name}: every handoff must be made by defineAgent()`,
      );
    }
  }
  for (const entry of options.guardrails ?? []) {
    if (typeof entry?.name !== 'string' || typeof entry.check !== 'function') {
      throw new UserError(
        'invalid_agent',
        `agent ${options.name}: every guardrail must be made by guardrail()`,
      );
    }
  }
  checkLimits(options.name, options.limits ?? {});
  checkRetry(options.name, options.retry ?? {});
  checkPricing(options.name, options.pricing);
  checkSkills(options.name, options.skills ?? []);
  checkCompaction(options.name, options);
  if (options.awareness !== undefined && options.awareness !== 'workspace') {
    throw new UserError('invalid_agent', `agent ${options.name}: awareness must be 'workspace'`);
  }
  const agent: Agent = Object.freeze({
    name: options.name,
    description: options.description,
    instructions: options.instructions,
    model: options.model,
    tools: Object.freeze([...tools]),
    handoffs: Object.freeze(transfers.map((entry) => entry.agent)),
    transfers: Object.freeze(transfers),
    guardrails: Object.freeze([...(options.guardrails ?? [])]),
    limits: Object.freeze({ ...options.limits }),
    mcpServers: Object.freeze([...(options.mcpServers ?? [])]),
    retry: Object.freeze({ ...options.retry }),
    pricing: options.pricing === undefined ? undefined : Object.freeze({ ...options.pricing }),
    skills: Object.freeze([...(options.skills ?? [])]),
    compaction: options.compaction === undefined ? undefined : Object.freeze({ ...options.compaction }),
    maxToolResultChars: options.maxToolResultChars,
    awareness: options.awareness,
    asBackgroundTool: (toolOptions?: BackgroundToolOptions) => backgroundTool(agent, toolOptions),
    asTool: (toolOptions?: AgentToolOptions) => agentAsTool(agent, toolOptions),
  });
  return agent;
}

/** The agent a background tool (`agent.asBackgroundTool()`) starts, if `candidate` is one. */
export function childAgentOf(candidate: AnyTool): Agent | undefined {
  // Only `asBackgroundTool` below makes background tools, always of an agent.
  return backgroundChildOf(candidate) as Agent | undefined;
}

/**
 * The agent with `skills` added after its own: how an agent folder's `skills/` joins the agent
 * its `agent.ts` defines (the definition itself cannot know the folder it is in).
 */
export function withSkills(agent: Agent, skills: readonly Skill[]): Agent {
  if (skills.length === 0) return agent;
  // An agent made by another copy of Baton's modules (a build older than skills) has none.
  return Object.freeze({ ...agent, skills: Object.freeze([...(agent.skills ?? []), ...skills]) });
}

/** Thresholds and counts are positive whole numbers; anything else would never (or always) trigger. */
function checkCompaction(agent: string, options: AgentOptions): void {
  const counts: [string, unknown][] = [
    ['maxToolResultChars', options.maxToolResultChars],
    ['compaction.thresholdTokens', options.compaction?.thresholdTokens],
    ['compaction.keepRecentSteps', options.compaction?.keepRecentSteps],
  ];
  if (options.compaction !== undefined && options.compaction.thresholdTokens === undefined)
    throw new UserError('invalid_agent', `agent ${agent}: compaction.thresholdTokens is required`);
  for (const [name, value] of counts) {
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0))
      throw new UserError('invalid_agent', `agent ${agent}: ${name} must be a positive whole number`);
  }
}

/** Text, or a function that makes it. */
export function isInstructions(value: unknown): value is Instructions {
  return typeof value === 'string' || typeof value === 'function';
}

/** Limits that count things, so must be whole numbers. */
const WHOLE_LIMITS: ReadonlySet<string> = new Set(['maxSteps', 'maxHandoffs', 'maxIterations']);

/** Limits are positive numbers (counts whole numbers); anything else would never trigger. */
function checkLimits(agent: string, limits: AgentLimits): void {
  for (const [key, value] of Object.entries(limits) as [string, unknown][]) {
    if (value === undefined) continue;
    const valid =
      typeof value === 'number' &&
      value > 0 &&
      Number.isFinite(value) &&
      (!WHOLE_LIMITS.has(key) || Number.isInteger(value));
    if (!valid) {
      throw new UserError(
        'invalid_agent',
        `agent ${agent}: limits.${key} must be a positive ${WHOLE_LIMITS.has(key) ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/** Retry settings are non-negative numbers (`maxAttempts` a positive integer, timeouts positive). */
function checkRetry(agent: string, retry: Partial<RetryPolicy>): void {
  for (const [key, value] of Object.entries(retry) as [string, unknown][]) {
    if (value === undefined) continue;
    if (key === 'longRetry') {
      if (value !== 'error' && value !== 'defer')
        throw new UserError('invalid_agent', `agent ${agent}: retry.longRetry must be 'error' or 'defer'`);
      continue;
    }
    const positive = key === 'maxAttempts' || key.endsWith('TimeoutMs');
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (positive ? value > 0 : value >= 0) &&
      (key !== 'maxAttempts' || Number.isInteger(value));
    if (!valid) {
      throw new UserError(
        'invalid_agent',
        `agent ${agent}: retry.${key} must be a ${positive ? 'positive' : 'non-negative'} ${key === 'maxAttempts' ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/** A skill is made by `defineSkill` or is its folder's absolute path: a definition cannot know which folder it is in. */
function checkSkills(agent: string, skills: readonly SkillSource[]): void {
  if (!Array.isArray(skills)) throw new UserError('invalid_agent', `agent ${agent}: skills must be an array`);
  for (const entry of skills) {
    const valid = isSkill(entry) || (typeof entry === 'string' && isAbsolute(entry));
    if (!valid) {
      throw new UserError(
        'invalid_agent',
        `agent ${agent}: every skill must be made by defineSkill() or be the absolute path of a skill folder, got ${JSON.stringify(entry)}`,
      );
    }
  }
}

/** Prices are non-negative USD amounts per million tokens. */
function checkPricing(agent: string, pricing: ModelPricing | undefined): void {
  if (pricing === undefined) return;
  for (const key of ['inputPerMillionUsd', 'outputPerMillionUsd'] as const) {
    const value: unknown = pricing?.[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new UserError(
        'invalid_agent',
        `agent ${agent}: pricing.${key} must be a non-negative number of USD per million tokens, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/** `provider:model-id` of a model spec, for hashing and display. */
export function modelId(model: ModelSpec): string {
  return typeof model === 'string' ? model : `${model.provider}:${model.modelId}`;
}

/**
 * Hash of what must not change under a resumed run: name, instructions, model id, tool names and
 * input schemas, handoff targets. Resuming under a different hash fails with `definition_changed`.
 */
export function agentDefinitionHash(agent: Agent): string {
  let hash = definitionHashes.get(agent);
  if (hash === undefined) {
    hash = computeDefinitionHash(agent);
    // `defineAgent`'s agents are frozen, so one's hash never changes; other objects are hashed each time.
    if (Object.isFrozen(agent)) definitionHashes.set(agent, hash);
  }
  return hash;
}

/** The definition hash of each frozen agent, computed once (every run start asks for it). */
const definitionHashes = new WeakMap<Agent, string>();

function computeDefinitionHash(agent: Agent): string {
  return hashCanonical({
    name: agent.name,
    // A function is hashed by its source: changing it changes the agent, as changing text does.
    instructions:
      typeof agent.instructions === 'string'
        ? agent.instructions
        : `function:${agent.instructions.toString()}`,
    model: modelId(agent.model),
    tools: agent.tools.map((candidate) => ({
      name: candidate.name,
      inputSchema: toolInputJsonSchema(candidate),
    })),
    handoffs: agent.handoffs.map((target) => target.name),
    mcpServers: agent.mcpServers.map((server) => server.name),
  });
}
