/**
 * The port of content-addressed blobs (sha256 hex, deduplicated): workspace bundles, diffs,
 * patches, signed statements. Every implementation passes `blobStoreContract`.
 */
export interface BlobStore {
  putBlob(bytes: Uint8Array): Promise<string>;
  getBlob(hash: string): Promise<Uint8Array | undefined>;
}
