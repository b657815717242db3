import { hostname } from 'node:os';
import { ConflictError, NotFoundError, UserError } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import { canonicalJson, hashCanonical } from '../core/hash.js';
import type { SigningKeys } from '../proof/keys.js';
import { signStatement } from '../proof/signature.js';
import { type Contract, contractSchema, type ProofEnvelope, type Receipt } from '../proof/statements.js';
import type { Store } from '../store/store.js';
import { loadBlob } from '../workspace/restore.js';
import { collectArtifacts } from './artifacts.js';

/** Signs a contract and stores its canonical JSON as a blob; the caller records `contract.issued`. */
export async function issueContract(
  store: Pick<Store, 'putBlob'>,
  keys: SigningKeys,
  contract: Contract,
): Promise<BatonEvent<'contract.issued'>['data']> {
  const contractHash = await store.putBlob(Buffer.from(canonicalJson(contract), 'utf8'));
  return { contractHash, signature: signStatement(contract, keys) };
}

/** The bytes of a receipt file: the envelope's canonical JSON and a final newline. */
export function serializeEnvelope(envelope: ProofEnvelope): string {
  return `${canonicalJson(envelope)}\n`;
}

const TERMINAL_STATUS = {
  'run.completed': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
} as const;

async function runEvents(store: Store, runId: string): Promise<BatonEvent[]> {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  return (await store.readEvents(run.sessionId)).filter((event) => event.runId === runId);
}

/** The receipt already issued for a run, if any (the latest one). */
export async function findReceipt(store: Store, runId: string): Promise<ProofEnvelope | undefined> {
  const issued = (await runEvents(store, runId)).filter((event) => event.type === 'receipt.issued').at(-1);
  if (issued?.type !== 'receipt.issued') return undefined;
  const bytes = await loadBlob(store, issued.data.envelopeHash, 'receipt');
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as ProofEnvelope;
}

/**
 * Issues the signed receipt of a finished run that has a contract: pins the contract hash,
 * the hash of the run's terminal event and every artifact; stores the receipt file as a blob
 * and records `receipt.issued` (after the pinned head, so the receipt never pins itself).
 * `runner` names who finished the run (default: this host, `local`); `keys` are its keys.
 */
export async function issueReceipt(
  store: Store,
  runId: string,
  keys: SigningKeys,
  runner: Receipt['runner'] = { kind: 'local', host: hostname() },
): Promise<ProofEnvelope> {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  const events = await runEvents(store, runId);
  const issued = events.find((event) => event.type === 'contract.issued');
  if (issued?.type !== 'contract.issued') {
    throw new UserError(
      'not_governed',
      `run ${runId} was not a governed run: it has no contract, so no receipt (\`baton exec\` and \`baton run --workspace\` runs have them)`,
    );
  }
  const terminal = events.filter((event) => event.type in TERMINAL_STATUS).at(-1);
  if (!terminal)
    throw new ConflictError(
      `run ${runId} has not finished; a receipt is issued once it ends`,
      'run_not_finished',
    );
  const contractBytes = await loadBlob(store, issued.data.contractHash, 'contract');
  const contract = contractSchema.parse(JSON.parse(Buffer.from(contractBytes).toString('utf8')));
  const receipt: Receipt = {
    version: 1,
    runId,
    contractHash: issued.data.contractHash,
    status: TERMINAL_STATUS[terminal.type as keyof typeof TERMINAL_STATUS],
    attempts: run.attempt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    eventLogHead: terminal.hash,
    artifacts: await collectArtifacts(store, events),
    usage: run.usage,
    runner,
    ...(contract.sandbox && { sandbox: contract.sandbox.sandbox }),
  };
  const envelope: ProofEnvelope = {
    version: 1,
    contract,
    receipt,
    signatures: { contract: issued.data.signature, receipt: signStatement(receipt, keys) },
  };
  const envelopeHash = await store.putBlob(Buffer.from(serializeEnvelope(envelope), 'utf8'));
  await store.append(
    run.sessionId,
    [{ type: 'receipt.issued', data: { envelopeHash, receiptHash: hashCanonical(receipt) } }],
    {
      runId,
    },
  );
  return envelope;
}

/** The run's receipt: the one already issued, else a new one (the run must have finished). */
export async function receiptForRun(store: Store, runId: string, keys: SigningKeys): Promise<ProofEnvelope> {
  return (await findReceipt(store, runId)) ?? issueReceipt(store, runId, keys);
}
