import { Hono, type MiddlewareHandler } from 'hono';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { BlobUploadMeter } from '../blob-upload-quota.js';
import { limitBody } from '../body-limit.js';
import { UnsupportedMediaTypeError } from '../http-errors.js';
import type { ServerEnv } from '../server-env.js';

const HASH = /^[0-9a-f]{64}$/;

/**
 * Content-addressed blobs for hand-offs (docs/handoff.md): `HEAD /v1/blobs/:hash` (200 or 404),
 * `GET /v1/blobs/:hash` (the bytes), `PUT /v1/blobs/:hash` with an `application/octet-stream`
 * body whose sha256 must be the hash (201 stored, 200 already held: uploads are idempotent).
 * Mounted before the JSON-only rule of `/v1/*`, behind the same caller check, with its own
 * body limit; a browser cannot send octet-stream cross-site without a preflight. What is newly
 * stored is metered per caller ({@link BlobUploadMeter}): past its window's quota, 429 with Retry-After.
 */
export function blobRoutes(
  store: BlobStore,
  requireCaller: MiddlewareHandler<ServerEnv>,
  maxBytes: number,
  meter: BlobUploadMeter,
): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.on(['GET', 'HEAD'], '/blobs/:hash', requireCaller, async (c) => {
    const bytes = await store.getBlob(blobHash(c.req.param('hash')));
    if (bytes === undefined) throw new NotFoundError('blob', c.req.param('hash'));
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'application/octet-stream' });
  });
  routes.put('/blobs/:hash', requireCaller, limitBody(maxBytes), async (c) => {
    const hash = blobHash(c.req.param('hash'));
    const type = c.req.header('content-type');
    if (type?.split(';')[0]?.trim().toLowerCase() !== 'application/octet-stream') {
      throw new UnsupportedMediaTypeError(type, 'application/octet-stream');
    }
    const bytes = c.get('requestBody') ?? new Uint8Array();
    if (sha256Hex(bytes) !== hash) throw new ValidationError('the body does not hash to the blob id', 'hash');
    const held = (await store.getBlob(hash)) !== undefined;
    if (!held) {
      const caller = c.get('caller');
      const principal = `${caller.kind}:${caller.subject}`;
      meter.charge(principal, bytes.byteLength);
      await store.putBlob(bytes).catch((error: unknown) => {
        meter.refund(principal, bytes.byteLength);
        throw error;
      });
    }
    return c.json({ hash, bytes: bytes.byteLength, stored: !held }, held ? 200 : 201);
  });
  return routes;
}

function blobHash(value: string): string {
  if (!HASH.test(value)) throw new ValidationError('a blob id is 64 lowercase hex digits (sha256)', 'hash');
  return value;
}
