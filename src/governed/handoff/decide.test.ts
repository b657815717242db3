import { describe, expect, it } from 'vitest';
import { decideHandoff } from './decide.js';
import { localFirst, triggers } from './policy.js';
import type { HandoffSignals } from './signals.js';

const quiet: HandoffSignals = { continuationRequested: null, toolCalls: [], modelEscalated: false };
const request = { pool: 'gpu', budgetUsd: null, secrets: [], parallel: 1 };

describe('decideHandoff', () => {
  it('denies every pool under the default localFirst()', () => {
    expect(decideHandoff(localFirst(), request, quiet)).toMatchObject({
      decision: 'deny',
      reasons: ['pool "gpu" is not in allowPools []'],
    });
  });

  it('lists every denial reason at once', () => {
    const policy = localFirst({ allowPools: ['cpu'], maxBudgetUsd: 1, maxParallel: 2 });
    const decision = decideHandoff(
      policy,
      { pool: 'gpu', budgetUsd: 3, secrets: ['KEY'], parallel: 3 },
      quiet,
    );
    expect(decision.reasons).toEqual([
      'pool "gpu" is not in allowPools [cpu]',
      'budget $3 is over maxBudgetUsd $1',
      'secret KEY is not in allowSecrets',
      '3 parallel attempts are over maxParallel 2',
    ]);
  });

  it('continues on an allowed pool and names the triggers that fired', () => {
    const policy = localFirst({
      allowPools: ['gpu'],
      continueWhen: [triggers.slowTools(1_000), triggers.modelEscalated(), triggers.userRequested()],
    });
    const signals: HandoffSignals = {
      continuationRequested: 'too slow here',
      toolCalls: [{ name: 'build', ok: true, durationMs: 1_500 }],
      modelEscalated: false,
    };
    expect(decideHandoff(policy, request, signals)).toEqual({
      decision: 'continue',
      reasons: [
        'pool "gpu" is allowed',
        'slowTools(1000): a tool call took 1500 ms',
        'userRequested: too slow here',
      ],
      firedTriggers: ['slowTools(1000): a tool call took 1500 ms', 'userRequested: too slow here'],
    });
  });

  it('refuses a malformed policy when it is built', () => {
    expect(() => localFirst({ allowPools: ['Not A Pool'] })).toThrow();
    expect(() => localFirst({ continueWhen: [triggers.toolFailures(0)] })).toThrow();
  });
});
