import { randomBytes } from 'node:crypto';

/**
 * Sortable, prefixed ids: `<prefix>_<time base36 padded><random hex>`. Sorting by id orders by
 * creation time, which list endpoints rely on for cursors.
 */
export function newId(prefix: 'ses' | 'run' | 'task' | 'fb' | 'lease' | 'wrk' | 'req'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${pooledRandom(8).toString('hex')}`;
}

/** A random secret (continuation tokens, lease tokens), URL-safe. */
export function newSecret(bytes = 24): string {
  return pooledRandom(bytes).toString('base64url');
}

/**
 * Random bytes drawn from the CSPRNG a pool at a time, each byte handed out once, as Node's own
 * `randomUUID` does: a run start takes several ids and tokens, and each `randomBytes` call is a
 * trip into OpenSSL.
 */
const POOL_BYTES = 4_096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function pooledRandom(bytes: number): Buffer {
  if (bytes > POOL_BYTES) return randomBytes(bytes);
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const drawn = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return drawn;
}
