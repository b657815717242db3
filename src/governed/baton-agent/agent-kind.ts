import type { Agent } from '../../core/agent.js';
import { agentDefinitionHash } from '../../core/agent.js';
import { errorMessage } from '../../core/errors.js';
import type { AnyTool } from '../../core/tool.js';
import type { TurnOutcome } from '../../loop/types.js';
import type { AgentModuleLoader } from '../../runtime/agent-loader.js';
import { runKindTurn } from '../../runtime/kind-turn.js';
import type { RunKind, RunKindContext, RunKindDefinitionContext } from '../../runtime/run-kind.js';
import { reachableAgents } from '../../runtime/served-agents.js';
import type { ScratchWorkspace } from '../../workspace/scratch-workspace.js';
import { workspaceTools } from '../../workspace/tools/workspace-tools.js';
import { AgentUnavailableError } from '../handoff/errors.js';
import { maskStrings, type ReleaseSecrets, releaseRunSecrets, secretMask } from '../released-secrets.js';
import { finishOnScratch, reopenOrRestoreScratch, restoreScratch } from '../workspace-kind.js';
import { type BatonAgentInput, batonAgentInputSchema } from './agent-input.js';

/** Options of {@link batonAgentKind}: where the runner's secrets and agent modules come from. */
export interface BatonAgentKindOptions {
  releaseSecrets?: ReleaseSecrets | undefined;
  /** Loads the module the plane served the agent from; without it only the runtime's own agents run. */
  loadAgentModule?: AgentModuleLoader | undefined;
}

/**
 * The `agent` kind: a hand-off to a Baton agent by name (`agents.baton(name)`). The agent works
 * on a scratch restore of the checkpoint with the workspace tools (`run_command` sandboxed under
 * the run's policy, with the released secrets in its environment and masked in its output); its
 * change becomes the run's patch as for a `workspace` run. The hand-off's budget lowers the
 * agent's own `maxCostUsd` and `timeoutMs`.
 *
 * Claimed by the kind, not by the agent: a runner of the pool takes the run whatever it serves,
 * and a runner that has no agent of that name — neither its own (`baton worker --agents`) nor
 * one from the module the plane recorded — fails the run with `agent_unavailable` instead of
 * leaving it queued where nobody would run it.
 */
export function batonAgentKind(options: BatonAgentKindOptions = {}): RunKind<BatonAgentInput> {
  const resolve = (context: RunKindDefinitionContext<BatonAgentInput>) =>
    budgetedAgent(context, options.loadAgentModule);
  return {
    name: 'agent',
    inputSchema: batonAgentInputSchema,
    claim: 'kind',
    // The agent as the run uses it, budget included: a changed agent fails a resumed run.
    definitionHash: async (context) => agentDefinitionHash(await resolve(context)),
    execute: async (context) =>
      runOnScratch(context, await resolve(context), () => restoreScratch(context), options.releaseSecrets),
    resume: async (context) =>
      runOnScratch(
        context,
        await resolve(context),
        () => reopenOrRestoreScratch(context),
        options.releaseSecrets,
      ),
  };
}

/** The agent's turn on the checkout, once its secrets are released (a run missing one fails before any restore). */
async function runOnScratch(
  context: RunKindContext<BatonAgentInput>,
  agent: Agent,
  openScratch: () => Promise<ScratchWorkspace>,
  releaseSecrets: ReleaseSecrets | undefined,
): Promise<TurnOutcome> {
  const { run, input, env } = context;
  const released = await releaseRunSecrets(run, input.secrets, releaseSecrets, env);
  if ('error' in released)
    return { status: 'failed', error: released.error, usage: { inputTokens: 0, outputTokens: 0 }, steps: 0 };
  const { secrets } = released;
  const scratch = await openScratch();
  const tools: AnyTool[] = workspaceTools(scratch.checkout, {
    sandbox: {
      policy: { ...input.policy, env: { ...input.policy.env, ...secrets } },
      gitDir: scratch.gitDir,
    },
  });
  const mask = secretMask(secrets);
  const masked =
    Object.keys(secrets).length > 0 ? tools.map((candidate) => maskedTool(candidate, mask)) : tools;
  const outcome = await runKindTurn(context, agent, {
    extraTools: masked,
    activeMsBefore: context.activeMsBefore,
  });
  return finishOnScratch(context, scratch, outcome);
}

/** `candidate` with every released secret value in its result (or error) replaced by `[secret NAME]`. */
function maskedTool(candidate: AnyTool, mask: (text: string) => string): AnyTool {
  return {
    ...candidate,
    execute: async (input, toolContext) => {
      let output: unknown;
      try {
        output = await candidate.execute(input, toolContext);
      } catch (error) {
        // A failed call's message is recorded too; its type and code stay the tool's own.
        if (error instanceof Error) error.message = mask(error.message);
        throw error;
      }
      // Normalised to JSON data first (what the log records), then masked string by string.
      return output === undefined ? output : maskStrings(JSON.parse(JSON.stringify(output)), mask);
    },
  };
}

/**
 * The run's agent with the hand-off's budget: found among the runtime's agents (and those they
 * reach) by name, else in the module the plane recorded. Throws `agent_unavailable` — failing
 * the run before it starts — when this runner has neither.
 */
async function budgetedAgent(
  context: RunKindDefinitionContext<BatonAgentInput>,
  loadAgentModule: AgentModuleLoader | undefined,
): Promise<Agent> {
  const { input } = context;
  const agent = await findAgent(context, loadAgentModule);
  const limits = {
    ...agent.limits,
    timeoutMs: Math.min(agent.limits.timeoutMs ?? Infinity, input.timeoutMs),
  };
  const maxCostUsd =
    input.maxCostUsd === null
      ? agent.limits.maxCostUsd
      : Math.min(agent.limits.maxCostUsd ?? Infinity, input.maxCostUsd);
  return { ...agent, limits: maxCostUsd === undefined ? limits : { ...limits, maxCostUsd } };
}

async function findAgent(
  { input, agents }: RunKindDefinitionContext<BatonAgentInput>,
  loadAgentModule: AgentModuleLoader | undefined,
): Promise<Agent> {
  const own = reachableAgents(agents.values()).get(input.agent);
  if (own) return own;
  if (input.agentModule === null) {
    throw new AgentUnavailableError(
      `no agent named ${JSON.stringify(input.agent)} on this runner: the plane serves none by that name (baton serve --agents) and the runner was given none (baton worker --agents)`,
    );
  }
  if (!loadAgentModule) {
    throw new AgentUnavailableError(
      `no agent named ${JSON.stringify(input.agent)} on this runner: it was given its agents (--agents/--agent), and they do not include it`,
    );
  }
  let loaded: Agent;
  try {
    loaded = await loadAgentModule(input.agentModule);
  } catch (error) {
    throw new AgentUnavailableError(
      `agent ${JSON.stringify(input.agent)} is not available on this runner: ${errorMessage(error)}`,
    );
  }
  const agent = reachableAgents([loaded]).get(input.agent);
  if (agent) return agent;
  throw new AgentUnavailableError(
    `agent ${JSON.stringify(input.agent)} is not available on this runner: ${input.agentModule} defines no agent by that name`,
  );
}
