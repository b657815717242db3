import type { SandboxPolicy } from '../core/sandbox-policy.js';
import type { TurnOutcome } from '../loop/types.js';
import { agentRunDefinitionHash } from '../runtime/definition-hash.js';
import { runKindTurn } from '../runtime/kind-turn.js';
import { type RunKind, type RunKindContext, requireRunAgent } from '../runtime/run-kind.js';
import { PatchTooLargeError } from '../workspace/errors.js';
import { loadManifest } from '../workspace/restore.js';
import {
  openScratchWorkspace,
  privateScratchParent,
  reopenScratchWorkspace,
  type ScratchWorkspace,
} from '../workspace/scratch-workspace.js';
import { workspaceTools } from '../workspace/tools/workspace-tools.js';
import { awarenessBlock, workspacePeers } from './workspace-peers.js';
import { type WorkspaceRunInput, workspaceRunInputSchema } from './workspace-run.js';

/** A fresh scratch restore of the run's captured workspace, in the private per-user directory. */
export async function restoreScratch(
  context: Pick<RunKindContext<{ manifestHash: string }>, 'run' | 'input' | 'store' | 'signal' | 'env'>,
): Promise<ScratchWorkspace> {
  const { run, input, store, signal, env } = context;
  return openScratchWorkspace(await loadManifest(store, input.manifestHash), store, {
    parent: await privateScratchParent(),
    prefix: scratchPrefix(run.id),
    signal,
    hostEnv: env,
  });
}

/** The scratch directory of `runId`, from an earlier attempt on this machine, or a fresh restore. */
export async function reopenOrRestoreScratch(
  context: Pick<RunKindContext<{ manifestHash: string }>, 'run' | 'input' | 'store' | 'signal' | 'env'>,
): Promise<ScratchWorkspace> {
  const parent = await privateScratchParent();
  return (
    (await reopenScratchWorkspace(parent, scratchPrefix(context.run.id), context.env)) ??
    (await restoreScratch(context))
  );
}

function scratchPrefix(runId: string): string {
  return `workspace-${runId}-`;
}

/**
 * The agent's turn on a scratch workspace: the workspace tools are bound to it, and every
 * `run_command` runs under the run's sandbox policy; when the turn ends the run's own change
 * is stored as the patch and `workspace.patch` recorded. A deferred or interrupted turn keeps
 * the scratch directory for the attempt that resumes.
 */
async function runOnScratch(
  context: RunKindContext<WorkspaceRunInput>,
  scratch: ScratchWorkspace,
): ReturnType<RunKind['execute']> {
  const { input, store, run } = context;
  const tools = workspaceTools(scratch.checkout, {
    sandbox: { policy: input.policy, gitDir: scratch.gitDir },
  });
  const agent = requireRunAgent(context);
  const outcome = await runKindTurn(context, agent, {
    extraTools: tools,
    ...(input.model !== undefined && { model: input.model }),
    ...(agent.awareness === 'workspace' && {
      instructionsBlock: async () => awarenessBlock(await workspacePeers(store, run)),
    }),
  });
  return finishOnScratch(context, scratch, outcome);
}

/**
 * Ends an agent's turn on a scratch workspace: a turn that ended (succeeded or failed) has the
 * run's own change stored as its patch (`workspace.patch`) and the directory removed; a deferred,
 * waiting or interrupted turn keeps the directory for the attempt that resumes.
 */
export async function finishOnScratch(
  context: Pick<
    RunKindContext<{ secretPatterns: string[]; policy: SandboxPolicy }>,
    'input' | 'journal' | 'store'
  >,
  scratch: ScratchWorkspace,
  outcome: TurnOutcome,
): Promise<TurnOutcome> {
  const { input, journal, store } = context;
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
}

/**
 * The `workspace` kind (`baton run --workspace`): the run's agent works on a scratch restore
 * of the captured workspace (see {@link runOnScratch}). The scratch directory comes from
 * `mkdtemp` inside a private per-user directory, so an attempt that resumes on the same machine
 * finds and continues on the files the earlier attempt edited. The run's definition hash is its
 * agent's, so a changed agent file fails a resumed run with `definition_changed`.
 */
export function workspaceKind(): RunKind<WorkspaceRunInput> {
  return {
    name: 'workspace',
    inputSchema: workspaceRunInputSchema,
    claim: 'agent',
    definitionHash: agentRunDefinitionHash,
    execute: async (context) => runOnScratch(context, await restoreScratch(context)),
    resume: async (context) => runOnScratch(context, await reopenOrRestoreScratch(context)),
  };
}
