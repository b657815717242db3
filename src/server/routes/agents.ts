import { Hono } from 'hono';
import type { Runtime } from '../../runtime/types.js';
import type { AgentSummary } from '../../wire/api-types.js';
import type { ServerEnv } from '../server-env.js';

/** `GET /v1/agents`: the loaded agents, by name. */
export function agentRoutes(runtime: Runtime): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/agents', (c) => {
    const agents: AgentSummary[] = [...runtime.agents.values()]
      .map((agent) => ({
        name: agent.name,
        ...(agent.description !== undefined && { description: agent.description }),
        tools: agent.tools.map((candidate) => candidate.name),
      }))
      .sort((left, right) => left.name.localeCompare(right.name));
    return c.json(agents);
  });
  return routes;
}
