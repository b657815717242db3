import { currentUserName } from '../core/user-name.js';
import type { Store } from '../store/store.js';
import { DEFAULT_SANDBOX_LIMITS } from '../workspace/sandbox/limits.js';
import type { ExecInput } from './exec-input.js';
import { type GovernedRunOptions, type StartedGovernedRun, startGovernedRun } from './start-governed.js';

/** Options of {@link startExec}. */
export interface StartExecOptions extends Omit<GovernedRunOptions, 'requestedBy'> {
  command: readonly string[];
  timeoutMs?: number;
  maxOutputBytes?: number;
  requestedBy?: GovernedRunOptions['requestedBy'];
}

/** A queued `exec` run with its signed contract. */
export type StartedExec = StartedGovernedRun;

/** Captures the workspace, issues the contract and queues an `exec` run of `command`. */
export function startExec(store: Store, options: StartExecOptions): Promise<StartedExec> {
  const command = [...options.command];
  const limits = {
    ...options.limits,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.maxOutputBytes !== undefined && { outputBytes: options.maxOutputBytes }),
  };
  return startGovernedRun(
    store,
    { ...options, limits, requestedBy: options.requestedBy ?? { kind: 'cli', subject: currentUserName() } },
    {
      kind: 'exec',
      agent: 'exec',
      task: { kind: 'exec', command },
      budget: {
        timeoutMs: limits.timeoutMs ?? DEFAULT_SANDBOX_LIMITS.timeoutMs,
        maxOutputBytes: limits.outputBytes ?? DEFAULT_SANDBOX_LIMITS.outputBytes,
        maxSteps: null,
        maxCostUsd: null,
      },
      input: ({ manifestHash, policy, secretPatterns }): ExecInput => ({
        command,
        manifestHash,
        policy,
        secretPatterns,
      }),
    },
  );
}
