import type { HandoffPolicy, HandoffTrigger } from './policy.js';
import type { HandoffSignals } from './signals.js';

/** What one hand-off asks for, as the policy judges it. */
export interface HandoffRequest {
  pool: string;
  /** The budget asked for in USD; null when none was given. */
  budgetUsd: number | null;
  secrets: readonly string[];
  /** Attempts started together (1 for `continueIn`, the task count for `parallel`). */
  parallel: number;
}

/** A policy's verdict: `continue` or `deny`, always with the reasons. */
export interface HandoffDecision {
  decision: 'continue' | 'deny';
  reasons: string[];
  /** The triggers of `continueWhen` that fire on the signals, each described. */
  firedTriggers: string[];
}

/**
 * Judges whether `request` may continue on its pool: pure and deterministic, so the laptop
 * and the plane reach the same verdict from the same envelope. Permission (pool, budget,
 * secrets, parallelism) decides; the fired triggers are reported as why to continue.
 */
export function decideHandoff(
  policy: HandoffPolicy,
  request: HandoffRequest,
  signals: HandoffSignals,
): HandoffDecision {
  const denials = permissionDenials(policy, request);
  const firedTriggers = policy.continueWhen.flatMap((trigger) => {
    const fired = triggerFires(trigger, signals);
    return fired === undefined ? [] : [fired];
  });
  if (denials.length > 0) return { decision: 'deny', reasons: denials, firedTriggers };
  return {
    decision: 'continue',
    reasons: [`pool "${request.pool}" is allowed`, ...firedTriggers],
    firedTriggers,
  };
}

function permissionDenials(policy: HandoffPolicy, request: HandoffRequest): string[] {
  const reasons: string[] = [];
  if (!policy.allowPools.includes(request.pool)) {
    reasons.push(`pool "${request.pool}" is not in allowPools [${policy.allowPools.join(', ')}]`);
  }
  if (policy.maxBudgetUsd !== null && request.budgetUsd !== null && request.budgetUsd > policy.maxBudgetUsd) {
    reasons.push(`budget $${request.budgetUsd} is over maxBudgetUsd $${policy.maxBudgetUsd}`);
  }
  for (const secret of request.secrets) {
    if (!policy.allowSecrets.includes(secret)) reasons.push(`secret ${secret} is not in allowSecrets`);
  }
  if (request.parallel > policy.maxParallel) {
    reasons.push(`${request.parallel} parallel attempts are over maxParallel ${policy.maxParallel}`);
  }
  return reasons;
}

/** The description of a trigger that fires on `signals`, else undefined. */
function triggerFires(trigger: HandoffTrigger, signals: HandoffSignals): string | undefined {
  switch (trigger.kind) {
    case 'userRequested':
      return signals.continuationRequested === null
        ? undefined
        : `userRequested: ${signals.continuationRequested}`;
    case 'toolFailures': {
      const failures = signals.toolCalls.filter((call) => !call.ok).length;
      return failures >= trigger.count
        ? `toolFailures(${trigger.count}): ${failures} tool calls failed`
        : undefined;
    }
    case 'slowTools': {
      const slowest = Math.max(0, ...signals.toolCalls.map((call) => call.durationMs));
      return slowest >= trigger.ms ? `slowTools(${trigger.ms}): a tool call took ${slowest} ms` : undefined;
    }
    case 'modelEscalated':
      return signals.modelEscalated ? 'modelEscalated: the model escalated' : undefined;
  }
}
