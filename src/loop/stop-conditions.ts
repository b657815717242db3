import type { AgentLimits } from '../core/agent.js';
import type { Usage } from '../core/events.js';

/** The limits that end a turn as `failed`; each is also the error code. */
export type LimitReason =
  | 'max_steps'
  | 'max_tokens'
  | 'max_cost'
  | 'timeout'
  | 'max_handoffs'
  | 'max_iterations';

/** What the stop conditions look at, checked at every step boundary. */
export interface TurnProgress {
  /** Steps this run has started (across attempts). */
  steps: number;
  /** This run's usage so far. */
  usage: Usage;
  /** Active milliseconds of the run: earlier attempts' (`activeMsBefore`) plus this turn's. */
  elapsedMs: number;
}

/** A limit as a predicate: `isMet(progress)` says the next step must not start. */
export interface StopCondition {
  reason: LimitReason;
  isMet: (progress: TurnProgress) => boolean;
  message: string;
}

/** Stops before step `maxSteps + 1`. */
export const stepCountIs = (maxSteps: number): StopCondition => ({
  reason: 'max_steps',
  isMet: ({ steps }) => steps >= maxSteps,
  message: `the run reached its limit of ${maxSteps} steps`,
});

/** Stops once input + output tokens exceed `maxTokens`. */
export const tokensExceed = (maxTokens: number): StopCondition => ({
  reason: 'max_tokens',
  isMet: ({ usage }) => usage.inputTokens + usage.outputTokens > maxTokens,
  message: `the run used more than its limit of ${maxTokens} tokens`,
});

/** Stops once the known cost exceeds `maxCostUsd`. */
export const costExceeds = (maxCostUsd: number): StopCondition => ({
  reason: 'max_cost',
  isMet: ({ usage }) => (usage.costUsd ?? 0) > maxCostUsd,
  message: `the run cost more than its limit of $${maxCostUsd}`,
});

/** Stops once the run has been active for `timeoutMs`, over all its attempts. */
export const elapsedExceeds = (timeoutMs: number): StopCondition => ({
  reason: 'timeout',
  isMet: ({ elapsedMs }) => elapsedMs >= timeoutMs,
  message: `the run exceeded its timeout of ${timeoutMs} ms`,
});

/** The stop conditions of an agent's limits. */
export function limitConditions(limits: Readonly<AgentLimits>): StopCondition[] {
  const conditions: StopCondition[] = [];
  if (limits.maxSteps !== undefined) conditions.push(stepCountIs(limits.maxSteps));
  if (limits.maxTokens !== undefined) conditions.push(tokensExceed(limits.maxTokens));
  if (limits.maxCostUsd !== undefined) conditions.push(costExceeds(limits.maxCostUsd));
  if (limits.timeoutMs !== undefined) conditions.push(elapsedExceeds(limits.timeoutMs));
  return conditions;
}

/** The first condition that is met, if any. */
export function firstMet(
  conditions: readonly StopCondition[],
  progress: TurnProgress,
): StopCondition | undefined {
  return conditions.find((condition) => condition.isMet(progress));
}
