import type { Usage } from '../core/events.js';
import { addCosts } from '../model/pricing.js';

/** Zero usage. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0 };
}

/** Sums two usages; `costUsd` is present when either side knows a cost, summed in micro-dollars. */
export function addUsage(total: Usage, step: Usage): Usage {
  const sum: Usage = {
    inputTokens: total.inputTokens + step.inputTokens,
    outputTokens: total.outputTokens + step.outputTokens,
  };
  if (total.costUsd !== undefined || step.costUsd !== undefined)
    sum.costUsd = addCosts(total.costUsd ?? 0, step.costUsd ?? 0);
  return sum;
}
