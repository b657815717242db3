import type { Usage } from '../../core/events.js';
import { AgentTurnError } from '../agent-turn.js';
import type { CoderCandidate } from './coder-candidate.js';

/**
 * No candidate patch passed validation. Carries the full result (every candidate's checks) so
 * that the failed task still shows why each patch was rejected.
 */
export class PatchRejectedError extends AgentTurnError {
  readonly result: unknown;

  constructor(candidates: readonly CoderCandidate[], result: unknown, usage: Usage) {
    const reasons = candidates.map((candidate) => {
      const failed = candidate.error
        ? [candidate.error.message]
        : candidate.validation.checks
            .filter((check) => !check.ok)
            .map((check) => `${check.name}: ${check.message.split('\n')[0]}`);
      return `variant ${candidate.variant + 1}: ${failed.join('; ')}`;
    });
    super('patch_rejected', `no candidate patch passed validation (${reasons.join(' | ')})`, usage);
    this.result = result;
  }
}
