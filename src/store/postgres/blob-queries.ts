import { sha256Hex } from '../../core/hash.js';
import type { Queryable } from './connection.js';

/** Stores bytes under their sha256 hex; storing the same bytes again is a no-op. */
export async function putBlob(db: Queryable, bytes: Uint8Array): Promise<string> {
  const hash = sha256Hex(bytes);
  await db.query(
    'INSERT INTO blobs (hash, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING',
    [
      hash,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      bytes.byteLength,
      new Date().toISOString(),
    ],
  );
  return hash;
}

/** The bytes stored under `hash`, as a plain `Uint8Array`. */
export async function getBlob(db: Queryable, hash: string): Promise<Uint8Array | undefined> {
  const result = await db.query<{ bytes: Buffer }>('SELECT bytes FROM blobs WHERE hash = $1', [hash]);
  const row = result.rows[0];
  return row && Uint8Array.from(row.bytes);
}
