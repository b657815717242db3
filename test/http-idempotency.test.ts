import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { Runtime } from '../src/runtime/types.js';
import { createApp } from '../src/server/app.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { echoAgent } from './helpers/http-server.js';

/**
 * Idempotency keys belong to the caller that used them and live apart from the runtime's own
 * keys: no key a client sends reaches another session's token.
 */
describe('idempotency keys over HTTP', () => {
  let dir: string;
  let store: SqliteStore;
  let runtime: Runtime;
  const anonymous = () => createApp({ runtime });
  const basicApp = (user: string, on: Runtime = runtime) =>
    createApp({ runtime: on, auth: { mode: 'basic', username: user, password: 'pw' } });
  const basicHeader = (user: string) => `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-idempotency-'));
    store = new SqliteStore(join(dir, 'baton.db'));
    runtime = createRuntime({ store, agents: [echoAgent], tokenSecret: 'secret-one' });
  });

  afterAll(async () => {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    app: ReturnType<typeof createApp>,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await app.request('/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ agent: 'echo', message: 'hi', ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('never lets a client key name the internal next-run key of another session', async () => {
    const victim = await start(anonymous(), {});
    const sessionId = victim.body.sessionId as string;
    const runId = victim.body.runId as string;
    // The victim's session gets its next run under the internal key after its first run.
    await runtime.execute(runId);
    const next = await runtime.deliver({
      continuationToken: victim.body.continuationToken as string,
      message: 'more',
    });
    expect((await runtime.getRun(next.runId)).idempotencyKey).toBe(`baton:${sessionId}:after:${runId}`);
    for (const key of [`baton:${sessionId}:after:${runId}`]) {
      const attack = await start(anonymous(), { idempotencyKey: key });
      expect(attack.status).toBe(202);
      expect(attack.body.sessionId).not.toBe(sessionId);
      expect(attack.body.continuationToken).not.toBe(victim.body.continuationToken);
    }
  });

  it('replays to the anonymous caller of --auth none without the token', async () => {
    const first = await start(anonymous(), { idempotencyKey: 'anon-key' });
    expect(first.status).toBe(202);
    const replay = await start(anonymous(), { idempotencyKey: 'anon-key' });
    expect(replay).toEqual({
      status: 200,
      body: { sessionId: first.body.sessionId, runId: first.body.runId, replayed: true },
    });
  });

  it('replays the token to the same authenticated caller, and refuses any other with 409', async () => {
    const alice = basicApp('alice');
    const first = await start(
      alice,
      { idempotencyKey: 'shared-key' },
      { authorization: basicHeader('alice') },
    );
    expect(first.status).toBe(202);
    const replay = await start(
      alice,
      { idempotencyKey: 'shared-key' },
      { authorization: basicHeader('alice') },
    );
    expect(replay).toEqual({ status: 200, body: { ...first.body, replayed: true } });
    const bob = await start(
      basicApp('bob'),
      { idempotencyKey: 'shared-key' },
      { authorization: basicHeader('bob') },
    );
    expect(bob.status).toBe(409);
    expect(bob.body).toEqual({ error: { code: 'idempotency_conflict', message: expect.any(String) } });
    const anonymousReplay = await start(anonymous(), { idempotencyKey: 'shared-key' });
    expect(anonymousReplay.status).toBe(409);
  });

  it('never rotates a token on a replay under another token secret (a restart without BATON_TOKEN_SECRET)', async () => {
    const alice = basicApp('alice');
    const first = await start(
      alice,
      { idempotencyKey: 'restart-key' },
      { authorization: basicHeader('alice') },
    );
    const restarted = createRuntime({ store, agents: [echoAgent], tokenSecret: 'secret-two' });
    const replay = await start(
      basicApp('alice', restarted),
      { idempotencyKey: 'restart-key' },
      { authorization: basicHeader('alice') },
    );
    expect(replay).toEqual({
      status: 200,
      body: { sessionId: first.body.sessionId, runId: first.body.runId, replayed: true },
    });
    // The holder's token still works.
    const followUp = await runtime.deliver({
      continuationToken: first.body.continuationToken as string,
      message: 'x',
    });
    expect(followUp.sessionId).toBe(first.body.sessionId);
    await restarted.close();
  });
});
