import { BatonError, ForbiddenError, UserError } from '../../core/errors.js';

/** The reasons of a denial travel in the message, joined by this, and are split back by the SDK. */
export const REASON_SEPARATOR = '; ';

/** A hand-off the policy denied, with the policy's reasons; nothing was uploaded or queued. */
export class PolicyDeniedError extends ForbiddenError {
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super('policy_denied', `the hand-off policy denied it: ${reasons.join(REASON_SEPARATOR)}`);
    this.reasons = [...reasons];
  }
}

/** A hand-off names a checkpoint whose blobs the plane does not hold. */
export class CheckpointIncompleteError extends BatonError {
  constructor(missing: readonly string[]) {
    super(
      'checkpoint_incomplete',
      `the plane holds none of these checkpoint blobs: ${missing.join(', ')}; upload the checkpoint first`,
    );
  }
}

/** A hand-off names an agent this Baton cannot run (a vendor CLI that is not installed, say). */
export class AgentUnavailableError extends UserError {
  constructor(message: string) {
    super('agent_unavailable', message);
  }
}

/** A hand-off to a Baton agent the plane does not allow on the pool (`--pool-agents`); nothing was queued. */
export class AgentNotAllowedError extends ForbiddenError {
  constructor(message: string) {
    super('agent_not_allowed', message);
  }
}
