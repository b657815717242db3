import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Agent } from '../core/agent.js';
import { issueReceipt } from '../governed/issue.js';
import { startWorkspaceRun } from '../governed/workspace-run.js';
import { ensureBatonHome, resolveBatonHome } from '../proof/baton-home.js';
import { loadOrCreateKeys } from '../proof/keys.js';
import { isRunEnded } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ensureBwrap } from '../workspace/sandbox/bwrap.js';
import { type SandboxFlags, sandboxRunOptions } from './sandbox-options.js';

/** The flags `baton run` takes for a run on a workspace. */
export interface WorkspaceRunFlags extends SandboxFlags {
  workspace?: string;
  allowUntracked: string[];
  sandbox: boolean;
  model?: string;
}

/** `--allow-untracked` accumulates. */
export const collectGlobs = (value: string, previous: string[]): string[] => [...previous, value];

/** Captures the workspace, issues the contract and queues the `workspace` run for `baton run --workspace`. */
export async function startCliWorkspaceRun(
  store: Store,
  agent: Agent,
  agentFile: string,
  message: string,
  flags: WorkspaceRunFlags & { workspace: string },
): Promise<{ sessionId: string; runId: string }> {
  if (flags.sandbox) await ensureBwrap('bwrap');
  const home = resolveBatonHome({ db: flags.db });
  await ensureBatonHome(home);
  return startWorkspaceRun(store, {
    dir: resolve(flags.workspace),
    agent: agent.name,
    message,
    agentModule: resolve(agentFile),
    allowUntracked: flags.allowUntracked,
    sandbox: flags.sandbox ? 'bwrap' : 'none',
    ...sandboxRunOptions(flags, home),
    requestedBy: { kind: 'cli', subject: userInfo().username },
    keys: await loadOrCreateKeys(home),
    ...(flags.model !== undefined && { model: flags.model }),
    ...(agent.limits.maxSteps !== undefined && { maxSteps: agent.limits.maxSteps }),
    ...(agent.limits.maxCostUsd !== undefined && { maxCostUsd: agent.limits.maxCostUsd }),
  });
}

/** Issues the receipt of a finished workspace run and tells the user how to get it and the patch. */
export async function finishCliWorkspaceRun(
  store: Store,
  runId: string,
  db: string | undefined,
): Promise<void> {
  const run = await store.getRun(runId);
  if (!run || !isRunEnded(run.status)) return;
  await issueReceipt(store, runId, await loadOrCreateKeys(resolveBatonHome({ db })));
  process.stderr.write(`receipt: baton receipt ${runId}\npatch: baton pull ${runId}\n`);
}
