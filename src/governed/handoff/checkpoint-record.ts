import { z } from 'zod';
import type { WorkspaceManifest } from '../../workspace/manifest.js';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A checkpoint as stored (a blob of its canonical JSON, whose hash is the checkpoint's id):
 * the capture's manifest, the checkpoint it follows, and what travels with it. Nothing in it
 * depends on the clock, so the same work tree and journal always give the same id.
 */
export const checkpointRecordSchema = z
  .object({
    version: z.literal(1),
    manifestHash: hash,
    parent: hash.nullable(),
    message: z.string().max(10_000).nullable(),
    /** The tool journal (`handoff().tools(...)`) since the previous checkpoint, as a JSON blob. */
    journalHash: hash.nullable(),
    /** A transcript handed to `checkpoint(message, { transcript })`, as a JSON blob. */
    transcriptHash: hash.nullable(),
  })
  .strict();

/** A parsed checkpoint record. */
export type CheckpointRecord = z.infer<typeof checkpointRecordSchema>;

/** Every blob a checkpoint consists of: the plane must hold them all before it accepts a hand-off. */
export function checkpointBlobs(record: CheckpointRecord, manifest: WorkspaceManifest): string[] {
  return [
    record.manifestHash,
    manifest.bundleHash,
    ...(manifest.diffHash === undefined ? [] : [manifest.diffHash]),
    ...manifest.untracked.map((entry) => entry.hash),
    ...(record.journalHash === null ? [] : [record.journalHash]),
    ...(record.transcriptHash === null ? [] : [record.transcriptHash]),
  ];
}
