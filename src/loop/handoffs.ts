import { z } from 'zod';
import type { Agent, Transfer } from '../core/agent.js';
import type { EventDataByType } from '../core/events.js';
import type { AnyTool } from '../core/tool.js';
import { tool } from '../core/tool.js';

const PREFIX = 'transfer_to_';

/** `transfer_to_<name>`, with characters tool names do not allow replaced by `_`. */
export function handoffToolName(target: Agent): string {
  return `${PREFIX}${target.name.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, 64);
}

/** The tool through which the model hands the rest of the turn to a transfer's agent; its `reason` goes into `handoff.occurred`. */
export function handoffTool({ agent: target, description }: Transfer): AnyTool {
  return tool({
    name: handoffToolName(target),
    description:
      description ??
      `Hand the conversation off to agent ${target.name}${target.description ? `: ${target.description}` : ''}.`,
    inputSchema: z.object({ reason: z.string().max(1000).optional() }),
    execute: ({ reason }) => ({ agent: target.name, ...(reason !== undefined && { reason }) }),
    idempotent: true,
  });
}

/** Whether a tool result records a successful handoff (its output names the new agent). */
export function isHandoffResult(
  data: EventDataByType['tool.result'],
): data is EventDataByType['tool.result'] & { output: { agent: string; reason?: string } } {
  if (!data.ok || !data.name.startsWith(PREFIX)) return false;
  const output = data.output as { agent?: unknown } | null;
  return typeof output === 'object' && output !== null && typeof output.agent === 'string';
}

/** The transfer of `from` that leads to the agent named `to`, if `from` has one. */
export function transferTo(from: Agent, to: string): Transfer | undefined {
  return from.transfers.find((entry) => entry.agent.name === to);
}

/** Every agent reachable from `root` through handoffs, by name (cycles allowed). */
export function collectAgents(root: Agent): Map<string, Agent> {
  const agents = new Map<string, Agent>();
  const visit = (agent: Agent): void => {
    if (agents.has(agent.name)) return;
    agents.set(agent.name, agent);
    for (const target of agent.handoffs) visit(target);
  };
  visit(root);
  return agents;
}
