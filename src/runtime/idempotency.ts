import { ConflictError } from '../core/errors.js';
import type { CallerIdentity } from '../core/tool.js';
import type { SessionRecord } from '../store/run-store.js';

/**
 * Clients' idempotency keys live under this prefix and the runtime's own keys (the next run of
 * a session, `baton:...`) under another, so no key a client sends can ever name an internal one.
 */
const CLIENT_KEY_PREFIX = 'client:';

/** The store key of a client's idempotency key. */
export function clientIdempotencyKey(key: string): string {
  return `${CLIENT_KEY_PREFIX}${key}`;
}

/** The principal everyone is under `--auth none` (and a library caller that names nobody). */
const ANONYMOUS: CallerIdentity = { kind: 'anonymous', subject: 'anonymous' };

function principal(caller: CallerIdentity | undefined): CallerIdentity {
  return caller ?? ANONYMOUS;
}

/** True when `caller` authenticated as someone, rather than being the one anonymous principal. */
export function isAuthenticated(caller: CallerIdentity | undefined): boolean {
  return principal(caller).kind !== ANONYMOUS.kind;
}

/**
 * Checks that a replay of a start comes from the principal that made it (the session's
 * initiator): an idempotency key belongs to its caller, and another principal sending it is
 * `409 idempotency_conflict` rather than a way into someone else's session.
 */
export function checkReplayer(session: SessionRecord, caller: CallerIdentity | undefined): void {
  const owner = principal(session.auth.initiator);
  const replayer = principal(caller);
  if (owner.kind !== replayer.kind || owner.subject !== replayer.subject) {
    throw new ConflictError(
      'this idempotency key was used by another caller; choose another key',
      'idempotency_conflict',
    );
  }
}
