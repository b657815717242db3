import type { ErrorCodeEntry } from './error-code-entry.js';

/** Hand-offs (baton-runtime/handoff, POST /v1/handoffs, baton handoff). */
export const HANDOFF_ERROR_CODES = {
  policy_denied: {
    domain: 'handoff',
    status: 403,
    description: "the hand-off policy denied continuing on the pool; the message lists the policy's reasons",
  },
  checkpoint_incomplete: {
    domain: 'handoff',
    status: 409,
    description:
      'a hand-off names a checkpoint whose blobs the plane does not hold; upload the checkpoint first',
  },
  secrets_unavailable: {
    domain: 'handoff',
    status: null,
    description:
      'a run names secrets its runner could not get from the plane (released only to allowed pools)',
  },
  agent_not_allowed: {
    domain: 'handoff',
    status: 403,
    description:
      "a hand-off names a Baton agent the plane does not allow on the pool (baton serve --pool-agents <pool>=<agents>; a pool with none takes no Baton agent): that agent's own tools would run on the pool's runners outside the sandbox",
  },
  agent_unavailable: {
    domain: 'handoff',
    status: 400,
    description:
      "the hand-off names an agent that cannot run: a name no agent can have, a Baton agent the runner does not have (neither its own nor loadable from the module the plane recorded), or a vendor agent's CLI (claude, codex, opencode) that is not installed on the runner's PATH",
  },
} as const satisfies Record<string, ErrorCodeEntry>;
