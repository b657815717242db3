import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/hash.js';
import { NO_SECRETS } from '../src/governed/handoff/secret-source.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';

// A plane client (the hand-off SDK's checkpoint upload, or anyone with the API token) against a
// real server over real SQLite: what `/v1/blobs` newly stores is metered per window, so a
// runaway or hostile client cannot fill the plane's disk.

const WINDOW_MS = 3_000;

describe('the blob upload quota of /v1/blobs', () => {
  let server: TestServer;
  let keysDir = '';

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'baton-blob-quota-'));
    server = await startTestServer({
      workers: 0,
      handoffs: { keys: await loadOrCreateKeys(keysDir), secrets: NO_SECRETS },
      blobUploadQuota: { maxBlobs: 3, maxBytes: 1_000, windowMs: WINDOW_MS },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (keysDir !== '') rmSync(keysDir, { recursive: true, force: true });
  });

  const put = (bytes: Uint8Array) =>
    fetch(`${server.url}/v1/blobs/${sha256Hex(bytes)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(bytes),
    });

  it('refuses a blob past the window’s count or bytes with 429 and Retry-After, storing nothing, and opens again', async () => {
    const first = Buffer.from('blob one');
    expect((await put(first)).status).toBe(201);
    expect((await put(Buffer.from('blob two'))).status).toBe(201);
    // A blob already held takes no disk and costs nothing.
    expect((await put(first)).status).toBe(200);
    const large = Buffer.alloc(2_000, 7);
    const tooLarge = await put(large);
    expect(tooLarge.status).toBe(429);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('upload_quota_exceeded');
    expect(Number(tooLarge.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await server.store.getBlob(sha256Hex(large))).toBeUndefined();
    expect((await put(Buffer.from('blob three'))).status).toBe(201);
    const fourth = Buffer.from('blob four');
    const refused = await put(fourth);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('upload_quota_exceeded');
    expect(await server.store.getBlob(sha256Hex(fourth))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    expect((await put(fourth)).status).toBe(201);
  });
});

describe('the blob upload quota of /v1/blobs with several callers', () => {
  let server: TestServer;
  let keysDir = '';

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'baton-blob-quota-callers-'));
    server = await startTestServer({
      workers: 0,
      auth: { mode: 'bearer', token: 'api-secret', adminToken: 'admin-secret' },
      handoffs: { keys: await loadOrCreateKeys(keysDir), secrets: NO_SECRETS },
      blobUploadQuota: { maxBlobs: 2, maxBytes: 1_000, windowMs: 60_000 },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (keysDir !== '') rmSync(keysDir, { recursive: true, force: true });
  });

  const putAs = (token: string, text: string) =>
    fetch(`${server.url}/v1/blobs/${sha256Hex(Buffer.from(text))}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.from(text),
    });

  it('meters each authenticated caller on its own: one using up its window leaves the others theirs', async () => {
    expect((await putAs('api-secret', 'api one')).status).toBe(201);
    expect((await putAs('api-secret', 'api two')).status).toBe(201);
    const refused = await putAs('api-secret', 'api three');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('upload_quota_exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The admin token is another principal: its window is untouched by the API token's uploads.
    expect((await putAs('admin-secret', 'admin one')).status).toBe(201);
    expect((await putAs('admin-secret', 'admin two')).status).toBe(201);
    expect((await putAs('admin-secret', 'admin three')).status).toBe(429);
    expect(await server.store.getBlob(sha256Hex(Buffer.from('admin three')))).toBeUndefined();
  });
});
