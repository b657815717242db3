import { resolve } from 'node:path';
import type { BatonConfig } from '../config/load-config.js';
import type { Agent } from '../core/agent.js';
import { currentUserName } from '../core/user-name.js';
import { issueReceipt } from '../governed/issue.js';
import { startWorkspaceRun } from '../governed/workspace-run.js';
import { ensureBatonHome } from '../proof/baton-home.js';
import { loadOrCreateKeys } from '../proof/keys.js';
import { isRunEnded } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ensureBwrap } from '../workspace/sandbox/bwrap.js';
import { sandboxRunOptions } from './sandbox-options.js';

/** Captures the workspace, issues the contract and queues the `workspace` run for `baton run --workspace`. */
export async function startCliWorkspaceRun(
  store: Store,
  agent: Agent,
  agentFile: string,
  message: string,
  config: BatonConfig & { workspace: string },
): Promise<{ sessionId: string; runId: string }> {
  if (config.sandbox) await ensureBwrap('bwrap');
  await ensureBatonHome(config.home);
  return startWorkspaceRun(store, {
    dir: resolve(config.workspace),
    agent: agent.name,
    message,
    agentModule: resolve(agentFile),
    allowUntracked: config.allowUntracked,
    sandbox: config.sandbox ? 'bwrap' : 'none',
    ...sandboxRunOptions(config),
    requestedBy: { kind: 'cli', subject: currentUserName() },
    keys: await loadOrCreateKeys(config.home),
    ...(config.model !== undefined && { model: config.model }),
    ...(agent.limits.maxSteps !== undefined && { maxSteps: agent.limits.maxSteps }),
    ...(agent.limits.maxCostUsd !== undefined && { maxCostUsd: agent.limits.maxCostUsd }),
  });
}

/** Issues the receipt of a finished workspace run and tells the user how to get it and the patch. */
export async function finishCliWorkspaceRun(store: Store, runId: string, home: string): Promise<void> {
  const run = await store.getRun(runId);
  if (!run || !isRunEnded(run.status)) return;
  await issueReceipt(store, runId, await loadOrCreateKeys(home));
  process.stderr.write(`receipt: baton receipt ${runId}\npatch: baton pull ${runId}\n`);
}
