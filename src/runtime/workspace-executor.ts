import type { Agent } from '../core/agent.js';
import { UserError } from '../core/errors.js';
import { runTurn } from '../loop/run-turn.js';
import type { RunRecord } from '../store/store.js';
import { PatchTooLargeError } from '../workspace/errors.js';
import { workspaceRunInputSchema } from '../workspace/governed/workspace-run.js';
import { loadManifest } from '../workspace/restore.js';
import {
  openScratchWorkspace,
  privateScratchParent,
  reopenScratchWorkspace,
} from '../workspace/scratch-workspace.js';
import { workspaceTools } from '../workspace/tools/workspace-tools.js';
import { loadAgentFile } from './agent-loader.js';
import { runAgentDefinitionHash } from './definition-hash.js';
import type { RunExecutor } from './run-executor.js';

/** The agent of a workspace run: one this process has by name, else the module the run recorded. */
async function workspaceAgent(run: RunRecord, agents: ReadonlyMap<string, Agent>): Promise<Agent> {
  const input = workspaceRunInputSchema.parse(run.input);
  const agent =
    agents.get(run.agent) ?? (input.agentModule ? await loadAgentFile(input.agentModule) : undefined);
  if (!agent)
    throw new UserError('unknown_agent', `no agent named ${JSON.stringify(run.agent)} is registered`);
  return agent;
}

/**
 * The executor of `workspace` runs (`baton run --workspace`): the agent's turn runs with the
 * workspace tools bound to a scratch restore of the captured workspace, and every
 * `run_command` under the run's sandbox policy; when the turn ends the run's own change is
 * stored as the patch and `workspace.patch` recorded. The scratch directory comes from
 * `mkdtemp` inside a private per-user directory, so an attempt that resumes on the same
 * machine finds and continues on the files the earlier attempt edited; a deferred or
 * interrupted turn keeps it. The run's definition hash is its agent's, so a changed agent file
 * fails a resumed run with `definition_changed`.
 */
export function createWorkspaceExecutor(): RunExecutor {
  const execute: RunExecutor = async ({
    run,
    journal,
    signal,
    store,
    agents,
    turnOptions,
    withAgentTools,
    env,
  }) => {
    const input = workspaceRunInputSchema.parse(run.input);
    const agent = await workspaceAgent(run, agents);
    const parent = await privateScratchParent();
    const prefix = `workspace-${run.id}-`;
    const scratch =
      (await reopenScratchWorkspace(parent, prefix, env)) ??
      (await openScratchWorkspace(await loadManifest(store, input.manifestHash), store, {
        parent,
        prefix,
        signal,
        hostEnv: env,
      }));
    const tools = workspaceTools(scratch.checkout, {
      sandbox: { policy: input.policy, gitDir: scratch.gitDir },
    });
    // The agent's MCP servers connect as for any run: a server that does not start fails the run.
    const outcome = await withAgentTools(agent, signal, (mcpTools) =>
      runTurn({
        agent,
        journal,
        signal,
        extraTools: [...tools, ...mcpTools],
        ...(input.model !== undefined && { model: input.model }),
        ...turnOptions,
      }),
    );
    if (outcome.status !== 'succeeded' && outcome.status !== 'failed') return outcome;
    try {
      const { patch: _bytes, ...patch } = await scratch.capturePatch(store, {
        secretPatterns: input.secretPatterns,
        maxPatchBytes: input.policy.limits.patchBytes,
      });
      await journal.append({ type: 'workspace.patch', data: patch });
      return outcome;
    } catch (error) {
      if (!(error instanceof PatchTooLargeError)) throw error;
      return {
        status: 'failed',
        error: { code: error.code, message: error.message },
        usage: outcome.usage,
        steps: outcome.steps,
      };
    } finally {
      await scratch.remove();
    }
  };
  execute.definitionHash = async ({ run, agents }) =>
    runAgentDefinitionHash(await workspaceAgent(run, agents), workspaceRunInputSchema.parse(run.input).model);
  return execute;
}
