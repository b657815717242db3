import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../core/agent.js';
import { UserError } from '../core/errors.js';
import { runTurn } from '../loop/run-turn.js';
import type { RunRecord } from '../store/store.js';
import { workspaceRunInputSchema } from '../workspace/governed/workspace-run.js';
import { capturePatch } from '../workspace/patch.js';
import { loadManifest, restoreWorkspace } from '../workspace/restore.js';
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
 * workspace tools bound to a scratch restore of the captured workspace; when the turn ends the
 * result patch is stored and `workspace.patch` recorded. The scratch directory is named after
 * the run, so an attempt that resumes on the same machine continues on the files the earlier
 * attempt edited; a deferred or interrupted turn keeps it. The run's definition hash is its
 * agent's, so a changed agent file fails a resumed run with `definition_changed`.
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
  }) => {
    const input = workspaceRunInputSchema.parse(run.input);
    const agent = await workspaceAgent(run, agents);
    const manifest = await loadManifest(store, input.manifestHash);
    const checkout = join(tmpdir(), `baton-workspace-${run.id}`);
    if (!existsSync(join(checkout, '.git'))) {
      await rm(checkout, { recursive: true, force: true });
      await restoreWorkspace(manifest, checkout, store, { signal });
    }
    const tools = workspaceTools(checkout, {
      sandbox: { sandbox: input.sandbox, hidePaths: input.hidePaths, allowHosts: input.allowHosts },
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
    if (outcome.status === 'succeeded' || outcome.status === 'failed') {
      const patch = await capturePatch(checkout, manifest.baseRef, store, {
        secretPatterns: input.secretPatterns,
      });
      await journal.append({ type: 'workspace.patch', data: patch });
      await rm(checkout, { recursive: true, force: true });
    }
    return outcome;
  };
  execute.definitionHash = async ({ run, agents }) =>
    runAgentDefinitionHash(await workspaceAgent(run, agents), workspaceRunInputSchema.parse(run.input).model);
  return execute;
}
