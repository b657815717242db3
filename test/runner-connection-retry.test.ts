import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlaneStore } from '../src/client/plane-store.js';
import type { EventDraft } from '../src/core/events.js';
import { sha256Hex } from '../src/core/hash.js';
import { runnerKeyStatement } from '../src/governed/runner-plane.js';
import { loadOrCreateKeys, type SigningKeys } from '../src/proof/keys.js';
import { signStatement } from '../src/proof/signature.js';
import { type BreakingProxy, startBreakingProxy } from './helpers/breaking-proxy.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { queuePoolRun } from './helpers/pool-run.js';

// A runner whose connection to the plane breaks at the worst moments, through a real TCP proxy
// in front of a real server over real SQLite: the plane's answer lost after it committed, the
// request cut before it arrived, the plane unreachable. A run must neither fail for a dropped
// connection nor record a repeated append twice.

describe('a runner whose connection to the plane breaks', () => {
  let server: TestServer;
  let keys: SigningKeys;
  let proxy: BreakingProxy;
  let runs = 0;

  beforeAll(async () => {
    // The proxy's port is the Host the runner's requests name: the plane must answer for it.
    proxy = await startBreakingProxy(() => new URL(server.url));
    server = await startTestServer({
      workers: 0,
      allowedHosts: [new URL(proxy.url).host],
      // Two uploads a run: enough to tell a repeated upload charged once from one charged again.
      runnerBlobQuota: { maxBlobs: 2, maxBytes: 1024 * 1024 },
    });
    keys = await loadOrCreateKeys(server.dir);
    const registered = await fetch(`${server.url}/v1/runner/default/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof: signStatement(runnerKeyStatement('default', keys.publicKeyHex), keys) }),
    });
    expect(registered.status).toBe(201);
  }, 60_000);

  afterEach(() => proxy.cut('none'));

  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  /** Queues a pool run and claims it through the proxy with a runner's store. */
  const claimed = async () => {
    runs += 1;
    const { runId, sessionId } = await queuePoolRun(server.store, `cut${runs}`);
    const runner = new PlaneStore({ url: proxy.url, pool: 'default', keys, claimWaitMs: 0 });
    const claim = await runner.claimRun(`runner-${runs}`, 60_000, { filter: { kinds: ['exec'] } });
    expect(claim?.run.id).toBe(runId);
    return { runner, runId, sessionId, fence: { runId, token: claim?.lease.token ?? '' } };
  };

  /** The texts of the messages recorded in the session, in order. */
  const texts = async (sessionId: string) =>
    (await server.store.readEvents(sessionId)).flatMap((event) =>
      event.type === 'message.completed' ? [event.data.text] : [],
    );
  const message = (text: string): EventDraft => ({
    type: 'message.completed',
    data: {
      role: 'assistant',
      text,
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    },
  });

  it.each([
    ['its answer was lost after the plane committed it', 'answer'],
    ['it was cut before the plane saw it', 'request'],
    ['it was cut while the plane read it', 'mid-request'],
    ['a proxy in front answered 503 for the plane', 'unavailable'],
  ] as const)('records an append whose connection broke once, when %s', async (_, cut) => {
    const { runner, runId, sessionId, fence } = await claimed();
    proxy.cut(cut);
    // Large enough to arrive in several pieces, so a cut can fall between them.
    const text = `once ${'x'.repeat(512 * 1024)}`;
    const appended = await runner.append(sessionId, [message(text)], { runId, fence });
    expect(appended.map((event) => event.type)).toEqual(['message.completed']);
    expect(await texts(sessionId)).toEqual([text]);
  });

  it('charges a blob uploaded again (a repeated upload) to the run’s quota once', async () => {
    const { runId, fence } = await claimed();
    const bytes = Buffer.from('the same patch\n');
    const put = () =>
      fetch(`${server.url}/v1/runner/default/runs/${runId}/blobs/${sha256Hex(bytes)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'baton-lease': fence.token },
        body: bytes,
      });
    for (let upload = 0; upload < 3; upload += 1) expect((await put()).status).toBe(204);
  });

  it('answers a repeated write with the first answer and executes it once', async () => {
    const { runId, sessionId, fence } = await claimed();
    const post = (key: string) =>
      fetch(`${server.url}/v1/runner/default/runs/${runId}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'baton-lease': fence.token, 'idempotency-key': key },
        body: JSON.stringify({ events: [message(key)] }),
      });
    const [first, repeat] = await Promise.all([post('key-1'), post('key-1')]);
    const [firstBody, repeatBody] = [await first.json(), await repeat.json()];
    expect(first.status).toBe(200);
    expect(repeat.status).toBe(200);
    expect(repeatBody).toEqual(firstBody);
    // A new key is a new write; a key under another lease or path is not the same write either.
    expect((await post('key-2')).status).toBe(200);
    // A key no runner would send is refused, not remembered.
    const oversized = await post('k'.repeat(257));
    expect(oversized.status).toBe(400);
    expect(await oversized.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await texts(sessionId)).toEqual(['key-1', 'key-2']);
  });

  it('gives up after about 30 s (a default lease) when the plane stays unreachable, with the connection error', async () => {
    const { runner, runId, sessionId, fence } = await claimed();
    proxy.cut('everything');
    const started = Date.now();
    const failed = await runner.append(sessionId, [message('never')], { runId, fence }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(TypeError);
    expect(Date.now() - started).toBeGreaterThan(25_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await texts(sessionId)).toEqual([]);
  }, 90_000);

  it('executes a repeat of a write that is idempotent as it is, rather than replaying it', async () => {
    // Last: the released run is queued again, and would be the next one claimed.
    const { runId, fence } = await claimed();
    const post = (route: string, body: unknown) =>
      fetch(`${server.url}/v1/runner/default/runs/${runId}/${route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'baton-lease': fence.token,
          'idempotency-key': 'same',
        },
        body: JSON.stringify(body),
      });
    expect((await post('update', { patch: { activeMs: 1 } })).status).toBe(200);
    expect((await post('release', {})).status).toBe(204);
    // Replayed, the update would answer 200 again; executed, it meets the released lease.
    const repeat = await post('update', { patch: { activeMs: 1 } });
    expect(await repeat.json()).toMatchObject({ error: { code: 'stale_lease' } });
  });
});
