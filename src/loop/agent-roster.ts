import type { LanguageModelV3, LanguageModelV3FunctionTool } from '@ai-sdk/provider';
import type { Agent, ModelPricing, ModelSpec } from '../core/agent.js';
import { modelId } from '../core/agent.js';
import { backgroundChildOf, SEND_MESSAGE_TOOL, sendMessage } from '../core/background-tool.js';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import type { Skill } from '../core/skill.js';
import type { AnyTool } from '../core/tool.js';
import { toolInputJsonSchema } from '../core/tool.js';
import type { PriceTable } from '../model/pricing.js';
import { priceOf } from '../model/pricing.js';
import { resolveModel } from '../model/resolve-model.js';
import { collectAgents, handoffTool } from './handoffs.js';
import { resolveSkills } from './skills/load-skill.js';
import { skillTools } from './skills/skill-tools.js';

/**
 * A scripted model under its own name (not standing in for a real model id): it costs only what
 * its script reports, so a cost limit needs no price for it.
 */
function isPlainScript(model: { provider: string; modelId: string }): boolean {
  return model.provider === 'scripted' && model.modelId === 'scripted';
}

/** `send_message` for an agent that starts background children, unless it has a tool of that name. */
function builtInChildTools(tools: readonly AnyTool[]): AnyTool[] {
  const starts = tools.some((candidate) => backgroundChildOf(candidate) !== undefined);
  return starts && !tools.some((candidate) => candidate.name === SEND_MESSAGE_TOOL) ? [sendMessage] : [];
}

/** An agent ready to take a step: its model, its tools by name and their definitions for the model. */
export interface ActiveAgent {
  agent: Agent;
  model: LanguageModelV3;
  tools: ReadonlyMap<string, AnyTool>;
  definitions: LanguageModelV3FunctionTool[];
  /** The model's price: the agent's `pricing` for its own model, else the price table's. */
  pricing: ModelPricing | undefined;
  /** The agent's skills by name, read when the agent is first prepared in the turn. */
  skills: ReadonlyMap<string, Skill>;
}

function definitionOf(candidate: AnyTool): LanguageModelV3FunctionTool {
  return {
    type: 'function',
    name: candidate.name,
    description: candidate.description,
    // A copy: the converted schema is cached and shared, and a middleware may edit what it is given.
    inputSchema: structuredClone(
      toolInputJsonSchema(candidate),
    ) as LanguageModelV3FunctionTool['inputSchema'],
  };
}

/**
 * The agents of one turn (the root and every handoff target), each prepared once on first use so
 * that tool schemas are not recomputed per step and an unused target's API key is never needed.
 */
export class AgentRoster {
  private readonly agents: Map<string, Agent>;
  private readonly prepared = new Map<string, ActiveAgent>();

  constructor(
    readonly root: Agent,
    private readonly options: {
      model?: ModelSpec | undefined;
      extraTools?: readonly AnyTool[] | undefined;
      prices?: PriceTable | undefined;
      env?: Environment | undefined;
    },
  ) {
    this.agents = collectAgents(root);
  }

  /**
   * The prepared agent named `name`; throws `UserError` for a bad model spec, clashing tool names,
   * a malformed skill,
   * or (`pricing_unknown`) a model without a price in a turn with a cost limit, which would
   * otherwise never stop it.
   */
  get(name: string): ActiveAgent {
    const cached = this.prepared.get(name);
    if (cached !== undefined) return cached;
    const agent = this.agents.get(name);
    if (agent === undefined)
      throw new UserError('unknown_agent', `no agent named ${name} is reachable from ${this.root.name}`);
    const skills = resolveSkills(agent);
    const own = [...agent.tools, ...(agent === this.root ? (this.options.extraTools ?? []) : [])];
    const list = [
      ...own,
      ...skillTools(skills),
      ...agent.transfers.map(handoffTool),
      ...builtInChildTools(own),
    ];
    const tools = new Map<string, AnyTool>();
    for (const candidate of list) {
      if (tools.has(candidate.name)) {
        throw new UserError('invalid_agent', `agent ${agent.name}: two tools are named ${candidate.name}`);
      }
      tools.set(candidate.name, candidate);
    }
    const spec = this.options.model ?? agent.model;
    const model = resolveModel(spec, this.options.env ?? {});
    // An agent's own price is for its own model, not for a `--model` put in its place.
    const pricing =
      (this.options.model === undefined ? agent.pricing : undefined) ??
      priceOf(model.modelId, this.options.prices);
    const maxCostUsd = this.root.limits.maxCostUsd;
    // A plain scripted model costs nothing but what its script reports (`usage.costUsd`).
    if (maxCostUsd !== undefined && pricing === undefined && !isPlainScript(model)) {
      throw new UserError(
        'pricing_unknown',
        `agent ${this.root.name} has limits.maxCostUsd ($${maxCostUsd}) but model ${modelId(spec)} has no known price: ` +
          'give the agent pricing: { inputPerMillionUsd, outputPerMillionUsd }, or list the model in the BATON_PRICES file',
      );
    }
    const active: ActiveAgent = {
      agent,
      model,
      tools,
      definitions: list.map(definitionOf),
      pricing,
      skills,
    };
    this.prepared.set(name, active);
    return active;
  }
}
