import type { ErrorCodeEntry } from './error-code-entry.js';

/** Proof. */
export const PROOF_ERROR_CODES = {
  not_governed: {
    domain: 'proof',
    status: 400,
    description: 'the run has no contract, so no receipt (only exec and workspace runs have one)',
  },
  insecure_key_permissions: {
    domain: 'proof',
    status: 400,
    description: 'the signing key file can be read by others; fix its permissions',
  },
  run_not_finished: {
    domain: 'proof',
    status: 409,
    description: 'the run has not finished; its receipt is issued once it ends',
  },
  unreadable_receipt: { domain: 'proof', status: 400, description: 'the receipt file cannot be read' },
  stale_lease: {
    domain: 'proof',
    status: 409,
    description:
      "a runner's lease token no longer holds the run (it expired and another runner took it over): nothing was written",
  },
  unknown_pool: {
    domain: 'proof',
    status: 403,
    description:
      'the runner token does not admit this pool, or the plane serves no such pool (`--runner-token`)',
  },
  unregistered_runner_key: {
    domain: 'proof',
    status: 403,
    description:
      'the key is not registered as a runner key of the pool, so the plane accepts no result signed by it',
  },
  runner_event_refused: {
    domain: 'proof',
    status: 403,
    description:
      "a runner tried to record an event only the plane records (session start, contract, capture, receipt, messages, a decision not its policy's)",
  },
  receipt_refused: {
    domain: 'proof',
    status: 400,
    description:
      "a runner's receipt does not verify against the plane's log, contract and blobs; the message says why",
  },
  blob_hash_mismatch: {
    domain: 'proof',
    status: 400,
    description: 'an uploaded blob does not hash (sha256) to the hash it was put under',
  },
  blob_quota_exceeded: {
    domain: 'proof',
    status: 413,
    description:
      'a runner uploaded more blobs (or bytes) for one run than the plane allows (--runner-blob-count, --runner-blob-quota); nothing was stored',
  },
  invalid_pool: {
    domain: 'proof',
    status: 400,
    description:
      'a runner pool name that is not 1-64 lowercase letters, digits, `.`, `_` or `-` (starting with a letter or digit)',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
