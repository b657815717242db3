import { currentUserName } from '../../core/user-name.js';
import type { Store } from '../../store/store.js';
import { DEFAULT_SANDBOX_LIMITS } from '../../workspace/sandbox/limits.js';
import { type GovernedRunOptions, type StartedGovernedRun, startGovernedRun } from '../start-governed.js';
import { type VendorAgent, vendorLimits } from './vendor-agent.js';
import type { VendorInput } from './vendor-input.js';

/** Options of {@link startVendorRun}. */
export interface StartVendorRunOptions extends Omit<GovernedRunOptions, 'requestedBy'> {
  agent: VendorAgent;
  task: string;
  /** Names of the secrets released into the sandbox (e.g. `ANTHROPIC_API_KEY`). */
  secrets?: readonly string[];
  maxCostUsd?: number;
  requestedBy?: GovernedRunOptions['requestedBy'];
}

/** Captures the workspace, issues the contract and queues a `vendor` run of `agent` on `task`. */
export function startVendorRun(store: Store, options: StartVendorRunOptions): Promise<StartedGovernedRun> {
  const secrets = [...(options.secrets ?? [])];
  const maxCostUsd = options.maxCostUsd ?? null;
  const limits = { ...vendorLimits(options.agent), ...definedOnly(options.limits ?? {}) };
  return startGovernedRun(
    store,
    { ...options, limits, requestedBy: options.requestedBy ?? { kind: 'cli', subject: currentUserName() } },
    {
      kind: 'vendor',
      agent: options.agent.harness,
      task: { kind: 'vendor', agent: options.agent, task: options.task },
      budget: {
        timeoutMs: options.limits?.timeoutMs ?? DEFAULT_SANDBOX_LIMITS.timeoutMs,
        maxOutputBytes: options.limits?.outputBytes ?? DEFAULT_SANDBOX_LIMITS.outputBytes,
        maxSteps: null,
        maxCostUsd,
      },
      leadingEvents: [{ type: 'message.received', data: { role: 'user', text: options.task } }],
      input: ({ manifestHash, policy, secretPatterns }): VendorInput => ({
        agent: options.agent,
        task: options.task,
        manifestHash,
        policy,
        secretPatterns,
        secrets,
        maxCostUsd,
      }),
    },
  );
}

function definedOnly<T extends object>(limits: T): Partial<T> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)) as Partial<T>;
}
