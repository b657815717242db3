import { Hono } from 'hono';
import { z } from 'zod';
import type { Agent } from '../../core/agent.js';
import { acceptHandoff, type HandoffPlane } from '../../governed/handoff/accept-handoff.js';
import { handoffEnvelopeSchema } from '../../governed/handoff/envelope.js';
import { agentModulePath } from '../../runtime/agent-loader.js';
import { reachableAgents } from '../../runtime/served-agents.js';
import type { Runtime } from '../../runtime/types.js';
import { parseJsonBody } from '../request-input.js';
import type { ServerEnv } from '../server-env.js';

const handoffBody = z.object({ envelope: handoffEnvelopeSchema }).strict();

/**
 * `POST /v1/handoffs` `{ envelope }`: the plane re-checks the envelope's policy, signs the
 * contract pinning the envelope's hash and queues the run for the pool (a Baton agent it
 * serves is recorded with its module, for the runner to load); 202 with `{ runId,
 * sessionId, contractHash, envelopeHash, decision, reasons }`, 403 `policy_denied` (the
 * reasons in the message), 409 `checkpoint_incomplete` while a checkpoint blob is missing.
 */
export function handoffRoutes(runtime: Runtime, plane: HandoffPlane): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.post('/handoffs', async (c) => {
    const { envelope } = await parseJsonBody(c.req, handoffBody);
    const accepted = await acceptHandoff(
      runtime.store,
      { agentModule: (name) => servedModule(runtime.agents, name), ...plane },
      envelope,
      c.get('caller'),
    );
    return c.json(
      {
        runId: accepted.runId,
        sessionId: accepted.sessionId,
        contractHash: accepted.contractHash,
        envelopeHash: accepted.envelopeHash,
        decision: accepted.decision.decision,
        reasons: accepted.decision.reasons,
      },
      202,
    );
  });
  return routes;
}

/**
 * The module of the served agent that is or reaches `name` (a hand-off to `agents.baton(name)`),
 * which its runner loads; undefined for an agent this plane does not serve from a module.
 */
function servedModule(agents: ReadonlyMap<string, Agent>, name: string): string | undefined {
  const own = agents.get(name);
  const root = own ?? [...agents.values()].find((agent) => reachableAgents([agent]).has(name));
  return root && agentModulePath(root);
}
