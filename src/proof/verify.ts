import { errorMessage } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import { verifyChain } from '../core/events.js';
import { canonicalJson, hashCanonical, sha256Hex } from '../core/hash.js';
import type { Store } from '../store/store.js';
import { verifyStatement } from './signature.js';
import { envelopeSchema, type ProofEnvelope } from './statements.js';
import { type TrustFile, untrustedSigner } from './trust.js';

/** Options of {@link verifyReceiptFile}. */
export interface VerifyOptions {
  /** Raw hex public key both signatures must carry; without it the embedded key is checked only for consistency. */
  trustedPublicKey?: string;
  /** The plane and runner keys the signatures must come from (`baton verify --trust`). */
  trust?: TrustFile;
  /** With a store, the event-log head and every artifact are checked against what is stored. */
  store?: Pick<Store, 'getRun' | 'readEvents' | 'getBlob'>;
}

/** The outcome of a verification: the checks done, or the first failure. */
export type VerifyVerdict =
  | {
      valid: true;
      runId: string;
      status: string;
      publicKey: string;
      keyTrust: 'pinned' | 'trust-file' | 'embedded';
      checks: string[];
    }
  | { valid: false; reason: string };

const TERMINAL_STATUS: Record<string, string> = {
  'run.completed': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

/**
 * Verifies a receipt file offline: its bytes must be the canonical JSON of a well-formed
 * envelope, both signatures must hold (under the trusted key when given) and the receipt must
 * pin the contract's hash. With a store it also checks the event chain and the artifacts.
 * Never throws: whatever the bytes, the answer is a verdict, and an invalid one says why.
 */
export async function verifyReceiptFile(
  bytes: Uint8Array,
  options: VerifyOptions = {},
): Promise<VerifyVerdict> {
  try {
    return await verifyEnvelope(bytes, options);
  } catch (error) {
    // A check that failed on input it did not foresee still proves nothing about the receipt.
    return { valid: false, reason: `the receipt could not be checked: ${errorMessage(error)}` };
  }
}

async function verifyEnvelope(bytes: Uint8Array, options: VerifyOptions): Promise<VerifyVerdict> {
  const parsed = parseCanonical(bytes);
  if (typeof parsed === 'string') return { valid: false, reason: parsed };
  const shape = envelopeSchema.safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return {
      valid: false,
      reason: `malformed receipt at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
    };
  }
  const envelope = shape.data;
  const failure =
    checkStatements(envelope, options.trustedPublicKey) ??
    (options.trust &&
      untrustedSigner(options.trust, {
        contract: envelope.signatures.contract.publicKey,
        receipt: envelope.signatures.receipt.publicKey,
        pool: envelope.contract.pool,
      })) ??
    (options.store && (await checkStore(envelope, options.store)));
  if (failure) return { valid: false, reason: failure };
  const checks = ['canonical form', 'contract signature', 'receipt signature', 'contract hash pinned'];
  if (options.store) checks.push('event chain and head', 'artifacts');
  return {
    valid: true,
    runId: envelope.receipt.runId,
    status: envelope.receipt.status,
    publicKey: envelope.signatures.receipt.publicKey,
    keyTrust: keyTrustOf(options),
    checks,
  };
}

function keyTrustOf(options: VerifyOptions): 'pinned' | 'trust-file' | 'embedded' {
  if (options.trustedPublicKey !== undefined) return 'pinned';
  return options.trust === undefined ? 'embedded' : 'trust-file';
}

/** The parsed JSON, or the reason the bytes are not a canonical JSON document. */
function parseCanonical(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The verdict carries the reason.
    return 'the file is not valid UTF-8';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The verdict carries the reason.
    return 'the file is not valid JSON';
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch (error) {
    // RFC 8785 has no form for a number out of range (`6e4242` parses as Infinity), and the
    // serializer recurses, so nesting deep enough overflows its stack.
    const what = error instanceof RangeError ? 'its nesting is too deep' : 'it holds a number out of range';
    return `the file is not canonical JSON (RFC 8785): ${what}`;
  }
  // Exactly the canonical bytes (RFC 8785), optionally newline-terminated: no byte is unchecked.
  if (text !== canonical && text !== `${canonical}\n`)
    return 'the file is not in canonical JSON form (RFC 8785)';
  return value;
}

function checkStatements(envelope: ProofEnvelope, trustedPublicKey: string | undefined): string | undefined {
  const { contract, receipt, signatures } = envelope;
  if (trustedPublicKey !== undefined) {
    if (signatures.contract.publicKey !== trustedPublicKey)
      return 'the contract is not signed by the trusted key';
    if (signatures.receipt.publicKey !== trustedPublicKey)
      return 'the receipt is not signed by the trusted key';
  }
  if (!verifyStatement(contract, signatures.contract)) return 'the contract signature is invalid';
  if (!verifyStatement(receipt, signatures.receipt)) return 'the receipt signature is invalid';
  if (receipt.contractHash !== hashCanonical(contract))
    return 'the receipt does not pin this contract (contractHash mismatch)';
  if (receipt.runId !== contract.runId) return 'the receipt and the contract name different runs';
  return undefined;
}

async function checkStore(
  envelope: ProofEnvelope,
  store: NonNullable<VerifyOptions['store']>,
): Promise<string | undefined> {
  const { receipt } = envelope;
  const run = await store.getRun(receipt.runId);
  if (!run) return `run ${receipt.runId} is not in the database`;
  const events = await store.readEvents(run.sessionId);
  const chain = verifyChain(events);
  if (!chain.ok) return `the event log is broken at seq ${chain.seq}: ${chain.reason}`;
  const head = events.find((event) => event.hash === receipt.eventLogHead);
  if (!head) return 'the receipt event-log head is not in the stored event log';
  if (head.runId !== receipt.runId || TERMINAL_STATUS[head.type] !== receipt.status) {
    return `the event-log head is not the run's ${receipt.status} event`;
  }
  if (!contractIssued(events, receipt.runId, receipt.contractHash))
    return 'the event log does not record this contract';
  for (const artifact of receipt.artifacts) {
    const bytes = await store.getBlob(artifact.hash);
    if (!bytes) return `artifact ${artifact.kind} ${artifact.hash} is missing from the store`;
    if (sha256Hex(bytes) !== artifact.hash || bytes.length !== artifact.bytes) {
      return `artifact ${artifact.kind} ${artifact.hash} does not match its stored bytes`;
    }
  }
  return undefined;
}

function contractIssued(events: readonly BatonEvent[], runId: string, contractHash: string): boolean {
  return events.some(
    (event) =>
      event.type === 'contract.issued' && event.runId === runId && event.data.contractHash === contractHash,
  );
}
