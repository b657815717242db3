/** Per-run limits; exceeding one ends the run with a typed reason. */
export interface AgentLimits {
  maxSteps?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  timeoutMs?: number;
  /** Handoffs one run may make; one more fails the run with `max_handoffs`. */
  maxHandoffs?: number;
  /**
   * Times one run may wait for its background children (idle-yield) and be woken; the wait past
   * it fails the run with `max_iterations`. Default {@link DEFAULT_MAX_ITERATIONS}.
   */
  maxIterations?: number;
}

/** A coordinator that never stops is ended after this many idle-yields (`limits.maxIterations`). */
export const DEFAULT_MAX_ITERATIONS = 64;
