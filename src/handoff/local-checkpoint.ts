import type { Environment } from '../core/environment.js';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import type { CheckpointRecord } from '../governed/handoff/checkpoint-record.js';
import type { BlobStore } from '../store/blob-store.js';
import { captureWorkspace } from '../workspace/capture.js';
import type { WorkspaceManifest } from '../workspace/manifest.js';

/** What a blob of a checkpoint holds, for the disclosure report. */
export type BlobKind = 'bundle' | 'diff' | 'untracked' | 'manifest' | 'journal' | 'transcript' | 'checkpoint';

/** One blob a checkpoint consists of. */
export interface CheckpointBlob {
  hash: string;
  kind: BlobKind;
  bytes: number;
}

/** A checkpoint captured on the laptop: its record, its manifest and every blob, held in memory until uploaded. */
export interface LocalCheckpoint {
  id: string;
  record: CheckpointRecord;
  manifest: WorkspaceManifest;
  /** Every blob, in upload order (content first, the checkpoint record last). */
  blobs: CheckpointBlob[];
  contents: ReadonlyMap<string, Uint8Array>;
}

/** What {@link captureLocalCheckpoint} captures. */
export interface LocalCheckpointOptions {
  workspace: string;
  allowUntracked: readonly string[];
  parent: string | null;
  message: string | null;
  journal: unknown[] | null;
  transcript: unknown;
  hostEnv?: Environment;
  signal?: AbortSignal;
}

/**
 * Captures the work tree into memory (nothing leaves the machine): the same capture a
 * governed run makes, plus the journal, the transcript and the checkpoint record. The same
 * tree, journal and parent always give the same blobs and so the same id.
 */
export async function captureLocalCheckpoint(options: LocalCheckpointOptions): Promise<LocalCheckpoint> {
  const contents = new Map<string, Uint8Array>();
  const kinds = new Map<string, BlobKind>();
  const memory: BlobStore = {
    async putBlob(bytes) {
      const hash = sha256Hex(bytes);
      contents.set(hash, bytes);
      return hash;
    },
    getBlob: async (hash) => contents.get(hash),
  };
  const put = async (bytes: Uint8Array, kind: BlobKind) => {
    const hash = await memory.putBlob(bytes);
    if (!kinds.has(hash)) kinds.set(hash, kind);
    return hash;
  };
  const manifest = await captureWorkspace(
    options.workspace,
    {
      allowUntracked: options.allowUntracked,
      ...(options.hostEnv && { hostEnv: options.hostEnv }),
      ...(options.signal && { signal: options.signal }),
    },
    memory,
  );
  kinds.set(manifest.bundleHash, 'bundle');
  if (manifest.diffHash !== undefined) kinds.set(manifest.diffHash, 'diff');
  for (const entry of manifest.untracked) if (!kinds.has(entry.hash)) kinds.set(entry.hash, 'untracked');
  const json = (value: unknown) => Buffer.from(canonicalJson(value), 'utf8');
  const record: CheckpointRecord = {
    version: 1,
    manifestHash: await put(json(manifest), 'manifest'),
    parent: options.parent,
    message: options.message,
    journalHash:
      options.journal === null || options.journal.length === 0
        ? null
        : await put(json(options.journal), 'journal'),
    transcriptHash:
      options.transcript === undefined ? null : await put(json(options.transcript), 'transcript'),
  };
  const id = await put(json(record), 'checkpoint');
  const blobs = [...kinds].map(([hash, kind]) => ({
    hash,
    kind,
    bytes: (contents.get(hash) as Uint8Array).byteLength,
  }));
  // The record goes last, so that the plane never holds a checkpoint whose content is missing.
  blobs.sort((left, right) => Number(left.kind === 'checkpoint') - Number(right.kind === 'checkpoint'));
  return { id, record, manifest, blobs, contents };
}
