import { expect, it } from 'vitest';
import { sha256Hex } from '../../core/hash.js';
import type { BlobStore } from '../../store/blob-store.js';

/** Content-addressed blobs. */
export function blobContract(store: () => BlobStore): void {
  it('stores blobs by sha256, deduplicated, and returns the exact bytes', async () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
    const hash = await store().putBlob(bytes);
    expect(hash).toBe(sha256Hex(bytes));
    expect(await store().putBlob(Uint8Array.from(bytes))).toBe(hash);
    const read = await store().getBlob(hash);
    expect(read).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(read ?? new Uint8Array()).equals(Buffer.from(bytes))).toBe(true);
    const empty = await store().putBlob(new Uint8Array());
    expect((await store().getBlob(empty))?.byteLength).toBe(0);
    expect(await store().getBlob('f'.repeat(64))).toBeUndefined();
  });
}
