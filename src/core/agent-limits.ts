/** Per-run limits; exceeding one ends the run with a typed reason. */
export interface AgentLimits {
  maxSteps?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  timeoutMs?: number;
  /** Handoffs one run may make; one more fails the run with `max_handoffs`. */
  maxHandoffs?: number;
}
