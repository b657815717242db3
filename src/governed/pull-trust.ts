import { ConflictError, NotFoundError, UserError } from '../core/errors.js';
import { verifyChain } from '../core/events.js';
import { verifyReceiptFile } from '../proof/verify.js';
import type { Store } from '../store/store.js';
import { UntrustedPatchError } from '../workspace/errors.js';
import type { WorkspaceManifest } from '../workspace/manifest.js';
import { loadBlob, loadManifest } from '../workspace/restore.js';

/** What pull-back reads of a run: its record, its session's log and its blobs (a store, or the plane over HTTP). */
export type RunReader = Pick<Store, 'getRun' | 'readEvents' | 'getBlob'>;

/** What a finished workspace run recorded for pull-back, checked before anything is applied. */
export interface TrustedRunPatch {
  baseRef: string;
  manifest: WorkspaceManifest;
  patch: Uint8Array;
  patchHash: string;
  secretPatterns: string[];
  contractHash?: string;
  /**
   * True for a run recorded before patches were taken against the starting state (its contract
   * carries no sandbox policy): its patch is against the base commit, dirty changes included.
   */
  againstBase: boolean;
}

/**
 * Reads a run's patch for pull-back and checks that it can be trusted: the session's event log
 * chain holds, the patch blob's bytes match its hash, and, when the run has a receipt, the
 * receipt verifies and pins exactly this patch. Anything else is an {@link UntrustedPatchError}.
 */
export async function trustedRunPatch(store: RunReader, runId: string): Promise<TrustedRunPatch> {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  const sessionEvents = await store.readEvents(run.sessionId);
  const chain = verifyChain(sessionEvents);
  if (!chain.ok)
    throw new UntrustedPatchError(
      `the event log of run ${runId} is broken at seq ${chain.seq}: ${chain.reason}`,
    );
  let manifestHash: string | undefined;
  let patchHash: string | null | undefined;
  let contractHash: string | undefined;
  let envelopeHash: string | undefined;
  for (const event of sessionEvents) {
    if (event.runId !== runId) continue;
    if (event.type === 'workspace.captured') manifestHash = event.data.manifestHash;
    if (event.type === 'workspace.patch') patchHash = event.data.patchHash;
    if (event.type === 'contract.issued') contractHash = event.data.contractHash;
    if (event.type === 'receipt.issued') envelopeHash = event.data.envelopeHash;
  }
  if (manifestHash === undefined || patchHash === undefined) {
    throw new ConflictError(
      `run ${runId} has no workspace patch (not a workspace run, or not finished)`,
      'no_patch',
    );
  }
  if (patchHash === null)
    throw new UserError('empty_patch', `run ${runId} changed nothing: there is nothing to pull`);
  if (envelopeHash !== undefined) await checkReceipt(store, envelopeHash, patchHash);
  const patch = await loadBlob(store, patchHash, 'patch').catch(() => {
    throw new UntrustedPatchError(
      `the patch blob ${patchHash} of run ${runId} is missing or does not match its hash`,
    );
  });
  const manifest = await loadManifest(store, manifestHash);
  const againstBase = contractHash !== undefined && !(await contractHasPolicy(store, contractHash));
  const input = run.input as { secretPatterns?: unknown };
  const secretPatterns = Array.isArray(input.secretPatterns) ? input.secretPatterns.map(String) : [];
  return {
    baseRef: manifest.baseRef,
    manifest,
    patch,
    patchHash,
    secretPatterns,
    againstBase,
    ...(contractHash !== undefined && { contractHash }),
  };
}

async function contractHasPolicy(store: RunReader, contractHash: string): Promise<boolean> {
  const contract = JSON.parse(
    Buffer.from(await loadBlob(store, contractHash, 'contract')).toString('utf8'),
  ) as {
    sandbox?: unknown;
  };
  return contract.sandbox !== undefined;
}

async function checkReceipt(store: RunReader, envelopeHash: string, patchHash: string): Promise<void> {
  const bytes = await loadBlob(store, envelopeHash, 'receipt').catch(() => {
    throw new UntrustedPatchError(`the receipt blob ${envelopeHash} is missing or corrupt`);
  });
  const verdict = await verifyReceiptFile(bytes, { store });
  if (!verdict.valid) throw new UntrustedPatchError(`the run's receipt does not verify: ${verdict.reason}`);
  const envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    receipt: { artifacts: { kind: string; hash: string }[] };
  };
  const pinned = envelope.receipt.artifacts.filter((artifact) => artifact.kind === 'patch');
  if (!pinned.some((artifact) => artifact.hash === patchHash)) {
    throw new UntrustedPatchError(`the patch ${patchHash} is not the one the run's receipt pins`);
  }
}
