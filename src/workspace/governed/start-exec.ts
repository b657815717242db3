import { userInfo } from 'node:os';
import type { Store } from '../../store/store.js';
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

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Captures the workspace, issues the contract and queues an `exec` run of `command`. */
export function startExec(store: Store, options: StartExecOptions): Promise<StartedExec> {
  const command = [...options.command];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return startGovernedRun(
    store,
    { ...options, requestedBy: options.requestedBy ?? { kind: 'cli', subject: userInfo().username } },
    {
      kind: 'exec',
      agent: 'exec',
      task: { kind: 'exec', command },
      budget: { timeoutMs, maxOutputBytes, maxSteps: null, maxCostUsd: null },
      input: ({ manifestHash, hidePaths, secretPatterns, allowHosts }): ExecInput => ({
        command,
        manifestHash,
        timeoutMs,
        maxOutputBytes,
        sandbox: options.sandbox ?? 'bwrap',
        hidePaths,
        secretPatterns,
        allowHosts,
      }),
    },
  );
}
