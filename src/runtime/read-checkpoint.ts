import { BatonError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import type { SessionCheckpoint } from '../loop/session-checkpoint.js';
import { CHECKPOINT_VERSION } from '../loop/session-checkpoint.js';
import type { CheckpointPointer, SessionRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/** Parsed checkpoints kept in this process, newest last. */
const parsed = new Map<string, SessionCheckpoint>();
/** How many parsed checkpoints a process keeps: the sessions it served last. */
const KEPT = 16;

/**
 * The session's newest transcript checkpoint (at `pointer`, from {@link checkpointPointer}),
 * when `runId` may start from it: undefined when
 * there is none, when its blob is missing, damaged (its bytes no longer hash to its name) or
 * not a checkpoint of this version, or when `runId` has events it covers (a resumed or retried
 * run replays its own events from the log). The caller then reads the whole log: a checkpoint
 * is an optimisation, never the record.
 */
export async function readCheckpoint(
  store: Pick<Store, 'getBlob'>,
  pointer: CheckpointPointer | undefined | null,
  runId: string,
): Promise<SessionCheckpoint | undefined> {
  if (!pointer) return undefined;
  const checkpoint = parsed.get(pointer.hash) ?? (await fetchCheckpoint(store, pointer.hash));
  if (checkpoint === undefined || checkpoint.seq !== pointer.seq) return undefined;
  return checkpoint.unfinishedRuns.includes(runId) ? undefined : checkpoint;
}

/**
 * Where the session's newest checkpoint is; `null` from a store that keeps no sessions: a
 * runner's (`PlaneStore`) refuses them with `not_supported`, reads the plane's log over HTTP
 * instead and writes no checkpoint of its own.
 */
export async function checkpointPointer(
  session: Promise<SessionRecord | undefined>,
): Promise<CheckpointPointer | undefined | null> {
  try {
    return (await session)?.checkpoint ?? undefined;
  } catch (error) {
    if (error instanceof BatonError && error.code === 'not_supported') return null;
    throw error;
  }
}

/**
 * Reads and parses a checkpoint blob, and keeps it: a blob's name is its content's hash, so a
 * kept one is never stale, and the next run of a session skips reading and parsing it again.
 * Turns share what is kept and never change it (`Transcript.restore` copies what it extends).
 */
async function fetchCheckpoint(
  store: Pick<Store, 'getBlob'>,
  hash: string,
): Promise<SessionCheckpoint | undefined> {
  const bytes = await store.getBlob(hash);
  if (bytes === undefined || sha256Hex(bytes) !== hash) return undefined;
  let checkpoint: SessionCheckpoint;
  try {
    checkpoint = JSON.parse(new TextDecoder().decode(bytes)) as SessionCheckpoint;
  } catch {
    // Unparseable bytes are as good as no checkpoint: the whole log is read instead.
    return undefined;
  }
  if (!isCheckpoint(checkpoint)) return undefined;
  parsed.set(hash, checkpoint);
  for (const oldest of parsed.keys()) {
    if (parsed.size <= KEPT) break;
    parsed.delete(oldest);
  }
  return checkpoint;
}

/** The parsed blob has the shape this version writes. */
function isCheckpoint(value: SessionCheckpoint): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.version === CHECKPOINT_VERSION &&
    typeof value.seq === 'number' &&
    Array.isArray(value.transcript?.messages) &&
    Array.isArray(value.transcript.pending) &&
    Array.isArray(value.transcript.deferredUsers) &&
    Array.isArray(value.transcript.heldBackground) &&
    typeof value.context === 'object' &&
    value.context !== null &&
    Array.isArray(value.gates?.approvals) &&
    Array.isArray(value.gates.questions) &&
    Array.isArray(value.reportedChildren) &&
    typeof value.skills === 'object' &&
    value.skills !== null &&
    Array.isArray(value.unanswered) &&
    Array.isArray(value.unfinishedRuns) &&
    (value.unansweredSeqs === undefined || seqsOf(value.unansweredSeqs, value.unanswered.length)) &&
    (value.transcript.userSeqs === undefined ||
      (seqsOf(value.transcript.userSeqs.tail, value.transcript.messages.length, 'at most') &&
        seqsOf(value.transcript.userSeqs.deferred, value.transcript.deferredUsers.length)))
  );
}

/** `value` is a list of `length` (or at most that many) integer seqs (-1: unknown). */
function seqsOf(value: unknown, length: number, bound: 'exactly' | 'at most' = 'exactly'): boolean {
  return (
    Array.isArray(value) &&
    (bound === 'exactly' ? value.length === length : value.length <= length) &&
    value.every((seq) => Number.isInteger(seq) && seq >= -1)
  );
}
