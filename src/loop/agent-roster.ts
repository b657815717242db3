import type { LanguageModelV3, LanguageModelV3FunctionTool } from '@ai-sdk/provider';
import type { Agent, ModelSpec } from '../core/agent.js';
import { UserError } from '../core/errors.js';
import type { AnyTool } from '../core/tool.js';
import { toolInputJsonSchema } from '../core/tool.js';
import { resolveModel } from '../model/resolve-model.js';
import { collectAgents, handoffTool } from './handoffs.js';

/** An agent ready to take a step: its model, its tools by name and their definitions for the model. */
export interface ActiveAgent {
  agent: Agent;
  model: LanguageModelV3;
  tools: ReadonlyMap<string, AnyTool>;
  definitions: LanguageModelV3FunctionTool[];
}

function definitionOf(candidate: AnyTool): LanguageModelV3FunctionTool {
  return {
    type: 'function',
    name: candidate.name,
    description: candidate.description,
    inputSchema: toolInputJsonSchema(candidate) as LanguageModelV3FunctionTool['inputSchema'],
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
    private readonly options: { model?: ModelSpec | undefined; extraTools?: readonly AnyTool[] | undefined },
  ) {
    this.agents = collectAgents(root);
  }

  /** The prepared agent named `name`; throws `UserError` for a bad model spec or clashing tool names. */
  get(name: string): ActiveAgent {
    const cached = this.prepared.get(name);
    if (cached !== undefined) return cached;
    const agent = this.agents.get(name);
    if (agent === undefined)
      throw new UserError('unknown_agent', `no agent named ${name} is reachable from ${this.root.name}`);
    const list = [
      ...agent.tools,
      ...(agent === this.root ? (this.options.extraTools ?? []) : []),
      ...agent.handoffs.map(handoffTool),
    ];
    const tools = new Map<string, AnyTool>();
    for (const candidate of list) {
      if (tools.has(candidate.name)) {
        throw new UserError('invalid_agent', `agent ${agent.name}: two tools are named ${candidate.name}`);
      }
      tools.set(candidate.name, candidate);
    }
    const active: ActiveAgent = {
      agent,
      model: resolveModel(this.options.model ?? agent.model),
      tools,
      definitions: list.map(definitionOf),
    };
    this.prepared.set(name, active);
    return active;
  }
}
