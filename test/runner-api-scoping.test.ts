import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateId } from '../src/core/gates.js';
import { canonicalJson, sha256Hex } from '../src/core/hash.js';
import { secretSource } from '../src/governed/handoff/secret-source.js';
import { runnerKeyStatement } from '../src/governed/runner-plane.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { signStatement } from '../src/proof/signature.js';
import { runnerAccess } from '../src/server/runner-access.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { queuePoolRun } from './helpers/pool-run.js';

// Two pools on one plane (real HTTP, real SQLite): a runner token of pool alpha must reach
// only what alpha's runs name, never beta's; what it may upload is bounded; what only the
// plane knows (attempts, who holds the lease) is the plane's to record.

const QUOTA = { maxBlobs: 4, maxBytes: 64 * 1024 };
const TOKENS = { alpha: 'token-alpha', beta: 'token-beta' } as const;
type Pool = keyof typeof TOKENS;

interface Held {
  runId: string;
  sessionId: string;
  token: string;
  /** The blobs the run's input names: its manifest and the file the manifest lists. */
  manifest: string;
  file: string;
}

describe('the runner API scoped to a pool', () => {
  let server: TestServer;
  let publicKey = '';
  let runs = 0;
  let keysDir = '';

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'baton-scoping-keys-'));
    const planeKeys = await loadOrCreateKeys(keysDir);
    server = await startTestServer({
      workers: 0,
      runnerAccess: runnerAccess([`alpha=${TOKENS.alpha}`, `beta=${TOKENS.beta}`], 'none'),
      handoffs: { keys: planeKeys, secrets: secretSource({ secrets: { API_KEY: { value: 'v4lue' } } }) },
      runnerBlobQuota: QUOTA,
    });
    const keys = await loadOrCreateKeys(server.dir);
    publicKey = keys.publicKeyHex;
    for (const pool of ['alpha', 'beta'] as const) {
      const registered = await call(pool, 'POST', '/keys', {
        body: { proof: signStatement(runnerKeyStatement(pool, publicKey), keys) },
      });
      expect(registered.status).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (keysDir !== '') rmSync(keysDir, { recursive: true, force: true });
  });

  const call = (
    pool: Pool,
    method: string,
    path: string,
    options: { body?: unknown; bytes?: Uint8Array; lease?: string } = {},
  ) =>
    fetch(`${server.url}/v1/runner/${pool}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKENS[pool]}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...(options.bytes !== undefined && { 'content-type': 'application/octet-stream' }),
        ...(options.lease !== undefined && { 'baton-lease': options.lease }),
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.bytes !== undefined && { body: Buffer.from(options.bytes) }),
    });

  const errorOf = async (response: Response): Promise<{ status: number; code: string | undefined }> => {
    const body = (await response.json()) as { error?: { code: string } };
    return { status: response.status, code: body.error?.code };
  };

  /** Queues a run of `pool` whose input names a manifest (and its file), and claims it. */
  const claimed = async (
    pool: Pool,
    input: Record<string, unknown> = {},
    agentModule: string | null = null,
  ): Promise<Held> => {
    runs += 1;
    const file = await server.store.putBlob(Buffer.from(`file of run ${runs} in ${pool}`));
    const manifest = await server.store.putBlob(
      Buffer.from(
        canonicalJson({
          version: 1,
          baseRef: '0'.repeat(40),
          branch: 'main',
          bundleHash: file,
          untracked: [{ path: 'a.txt', hash: file, bytes: 1 }],
          denied: [],
        }),
      ),
    );
    const { runId, sessionId } = await queuePoolRun(server.store, `scoped${runs}`, {
      input: { manifestHash: manifest, ...input },
      pool,
      agentModule,
    });
    const response = await call(pool, 'POST', '/claim', {
      body: { owner: `runner-${pool}`, ttlMs: 60_000, publicKey, filter: { kinds: ['exec'] } },
    });
    expect(response.status).toBe(200);
    const claim = (await response.json()) as { run: { id: string }; lease: { token: string } };
    expect(claim.run.id).toBe(runId);
    return { runId, sessionId, token: claim.lease.token, manifest, file };
  };

  it('serves a runner only the blobs its pool’s runs name, and only under the lease of such a run', async () => {
    const mine = await claimed('alpha');
    const theirs = await claimed('beta');
    const get = (pool: Pool, held: Held, hash: string) =>
      call(pool, 'GET', `/runs/${held.runId}/blobs/${hash}`, { lease: held.token });
    // Its own run's manifest and the files the manifest lists.
    for (const hash of [mine.manifest, mine.file]) {
      const response = await get('alpha', mine, hash);
      expect(response.status).toBe(200);
      expect(sha256Hex(new Uint8Array(await response.arrayBuffer()))).toBe(hash);
    }
    // Another pool's blobs: not found, under its own run or naming the other pool's run.
    expect(await errorOf(await get('alpha', mine, theirs.file))).toEqual({ status: 404, code: 'not_found' });
    expect(await errorOf(await get('alpha', mine, theirs.manifest))).toEqual({
      status: 404,
      code: 'not_found',
    });
    expect((await get('alpha', theirs, theirs.file)).status).toBe(404);
    // The pool-wide blob route is gone: a hash alone admits nothing.
    expect((await call('alpha', 'GET', `/blobs/${theirs.file}`)).status).toBe(404);
    // Without the run's lease: a typed 4xx.
    const unleased = await call('alpha', 'GET', `/runs/${mine.runId}/blobs/${mine.file}`);
    expect(unleased.status).toBe(400);
    const wrongLease = await call('alpha', 'GET', `/runs/${mine.runId}/blobs/${mine.file}`, {
      lease: theirs.token,
    });
    expect(await errorOf(wrongLease)).toEqual({ status: 409, code: 'stale_lease' });
    // Beta's runner reads beta's blobs.
    expect((await get('beta', theirs, theirs.file)).status).toBe(200);
  });

  it('stores a runner’s upload only for a run it holds, and serves it back to that run', async () => {
    const mine = await claimed('alpha');
    const theirs = await claimed('beta');
    const bytes = Buffer.from('a patch of alpha');
    const hash = sha256Hex(bytes);
    const onTheirs = await call('alpha', 'PUT', `/runs/${theirs.runId}/blobs/${hash}`, {
      bytes,
      lease: theirs.token,
    });
    expect(onTheirs.status).toBe(404);
    expect(await server.store.getBlob(hash)).toBeUndefined();
    expect((await call('alpha', 'PUT', `/blobs/${hash}`, { bytes })).status).toBe(404);
    expect(await server.store.getBlob(hash)).toBeUndefined();
    const put = await call('alpha', 'PUT', `/runs/${mine.runId}/blobs/${hash}`, { bytes, lease: mine.token });
    expect(put.status).toBe(204);
    const back = await call('alpha', 'GET', `/runs/${mine.runId}/blobs/${hash}`, { lease: mine.token });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).toString()).toBe('a patch of alpha');
    // Beta's run never named it.
    const fromBeta = await call('beta', 'GET', `/runs/${theirs.runId}/blobs/${hash}`, {
      lease: theirs.token,
    });
    expect(fromBeta.status).toBe(404);
  });

  it('refuses a runner’s workspace.patch naming a blob its run does not name (403), and takes one it uploaded', async () => {
    const mine = await claimed('alpha');
    const theirs = await claimed('beta');
    const patch = (patchHash: string) => ({
      events: [{ type: 'workspace.patch', data: { patchHash, files: 1, insertions: 1, deletions: 0 } }],
    });
    const forged = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: patch(theirs.file),
    });
    expect(await errorOf(forged)).toEqual({ status: 403, code: 'runner_event_refused' });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(0);
    // Naming it did not make it readable either.
    const read = await call('alpha', 'GET', `/runs/${mine.runId}/blobs/${theirs.file}`, {
      lease: mine.token,
    });
    expect(read.status).toBe(404);
    const bytes = Buffer.from('diff --git a/a.txt b/a.txt');
    const put = await call('alpha', 'PUT', `/runs/${mine.runId}/blobs/${sha256Hex(bytes)}`, {
      bytes,
      lease: mine.token,
    });
    expect(put.status).toBe(204);
    const named = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: patch(sha256Hex(bytes)),
    });
    expect(named.status).toBe(200);
  });

  it.each([
    ['a path climbing out', '..%2F..%2Fbaton.db'],
    ['upper-case hex', 'A'.repeat(64)],
    ['a short hash', 'abc'],
    ['a hash with a suffix', `${'a'.repeat(64)}.json`],
    ['an encoded NUL', `${'a'.repeat(63)}%00`],
  ])('answers a blob hash that is %s with a typed 400', async (_, hash) => {
    const mine = await claimed('alpha');
    for (const method of ['GET', 'PUT'] as const) {
      const response = await call('alpha', method, `/runs/${mine.runId}/blobs/${hash}`, {
        lease: mine.token,
        ...(method === 'PUT' && { bytes: Buffer.from('x') }),
      });
      expect([400, 404]).toContain(response.status);
      expect(typeof (await errorOf(response)).code).toBe('string');
    }
  });

  it('bounds what a runner uploads for one run, in number and in bytes (413 blob_quota_exceeded)', async () => {
    const mine = await claimed('alpha');
    const put = (bytes: Uint8Array) =>
      call('alpha', 'PUT', `/runs/${mine.runId}/blobs/${sha256Hex(bytes)}`, { bytes, lease: mine.token });
    for (let index = 0; index < QUOTA.maxBlobs; index += 1)
      expect((await put(Buffer.from(`blob ${index}`))).status).toBe(204);
    const over = Buffer.from('one too many');
    expect(await errorOf(await put(over))).toEqual({ status: 413, code: 'blob_quota_exceeded' });
    expect(await server.store.getBlob(sha256Hex(over))).toBeUndefined();

    const other = await claimed('alpha');
    const big = Buffer.alloc(QUOTA.maxBytes - 10, 1);
    const first = await call('alpha', 'PUT', `/runs/${other.runId}/blobs/${sha256Hex(big)}`, {
      bytes: big,
      lease: other.token,
    });
    expect(first.status).toBe(204);
    const more = Buffer.alloc(20, 2);
    const second = await call('alpha', 'PUT', `/runs/${other.runId}/blobs/${sha256Hex(more)}`, {
      bytes: more,
      lease: other.token,
    });
    expect(await errorOf(second)).toEqual({ status: 413, code: 'blob_quota_exceeded' });
  });

  it('refuses a blob over the upload limit with 413 before storing it', async () => {
    const mine = await claimed('alpha');
    const huge = Buffer.alloc(17 * 1024 * 1024, 3);
    const response = await call('alpha', 'PUT', `/runs/${mine.runId}/blobs/${sha256Hex(huge)}`, {
      bytes: huge,
      lease: mine.token,
    });
    expect(response.status).toBe(413);
    expect(await server.store.getBlob(sha256Hex(huge))).toBeUndefined();
  });

  it('lists to a pool only the agent modules its own queued or running runs name', async () => {
    await claimed('alpha', {}, '/agents/alpha-agent.js');
    await claimed('beta', {}, '/agents/beta-secret-agent.js');
    const response = await call('alpha', 'GET', '/agent-modules');
    expect(response.status).toBe(200);
    const { modules } = (await response.json()) as { modules: string[] };
    expect(modules).toContain('/agents/alpha-agent.js');
    expect(modules).not.toContain('/agents/beta-secret-agent.js');
  });

  it('records the plane’s attempt, agent, kind and lease owner in a runner’s run.started, and only one per lease', async () => {
    const mine = await claimed('alpha');
    const started = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: {
        events: [
          {
            type: 'run.started',
            data: { agent: 'root', attempt: 7, definitionHash: 'd1', kind: 'task', worker: 'someone-else' },
          },
        ],
      },
    });
    expect(started.status).toBe(200);
    const [event] = (await server.store.readEvents(mine.sessionId)).filter(
      (entry) => entry.type === 'run.started',
    );
    expect(event?.data).toEqual({
      agent: 'exec',
      attempt: 1,
      definitionHash: 'd1',
      kind: 'exec',
      worker: 'runner-alpha',
    });
    const run = await server.store.getRun(mine.runId);
    expect({ attempt: run?.attempt, startedAttempt: run?.startedAttempt }).toEqual({
      attempt: 1,
      startedAttempt: 1,
    });
    const again = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: { events: [{ type: 'run.started', data: { agent: 'exec', attempt: 2, definitionHash: 'd1' } }] },
    });
    expect(await errorOf(again)).toEqual({ status: 409, code: 'conflict' });
    expect((await server.store.getRun(mine.runId))?.attempt).toBe(1);
  });

  const message = (usage: unknown) => ({
    type: 'message.completed',
    data: { role: 'assistant', text: 'hi', toolCalls: [], finishReason: 'stop', usage },
  });

  it.each([
    ['negative input tokens in the run patch', { runPatch: { usage: { inputTokens: -5, outputTokens: 0 } } }],
    [
      'a negative cost in the run patch',
      { runPatch: { usage: { inputTokens: 1, outputTokens: 1, costUsd: -1 } } },
    ],
    [
      'an infinite cost in the run patch',
      { runPatch: { usage: { inputTokens: 1, outputTokens: 1, costUsd: 'Infinity' } } },
    ],
    ['negative usage in a message.completed', { events: [message({ inputTokens: -1, outputTokens: 2 })] }],
    [
      'a negative cost in a message.completed',
      { events: [message({ inputTokens: 1, outputTokens: 2, costUsd: -0.5 })] },
    ],
    [
      'a negative cost in a run.completed',
      {
        events: [
          {
            type: 'run.completed',
            data: { status: 'succeeded', text: 'x', usage: { inputTokens: 1, outputTokens: 1, costUsd: -2 } },
          },
        ],
      },
    ],
    [
      'a negative cost in a subagent.completed',
      {
        events: [
          {
            type: 'subagent.completed',
            data: {
              childSessionId: 'ses_x',
              status: 'succeeded',
              output: null,
              usage: { inputTokens: 1, outputTokens: 1, costUsd: -3 },
            },
          },
        ],
      },
    ],
  ])('refuses %s with 400 invalid_request and records nothing', async (_, body) => {
    const mine = await claimed('alpha');
    const raw = JSON.stringify({ events: [{ type: 'step.started', data: { step: 1 } }], ...body }).replace(
      '"Infinity"',
      '1e999',
    );
    const response = await fetch(`${server.url}/v1/runner/alpha/runs/${mine.runId}/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKENS.alpha}`,
        'content-type': 'application/json',
        'baton-lease': mine.token,
      },
      body: raw,
    });
    expect(await errorOf(response)).toEqual({ status: 400, code: 'invalid_request' });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(0);
    expect((await server.store.getRun(mine.runId))?.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('refuses negative usage in a run update with 400 invalid_request', async () => {
    const mine = await claimed('alpha');
    const response = await call('alpha', 'POST', `/runs/${mine.runId}/update`, {
      lease: mine.token,
      body: { patch: { usage: { inputTokens: 1, outputTokens: -1 } } },
    });
    expect(await errorOf(response)).toEqual({ status: 400, code: 'invalid_request' });
  });

  it.each([
    ['a string', 'API_KEY'],
    ['numbers', [1, 2]],
    ['an object', { name: 'API_KEY' }],
  ])(
    'answers the secrets of a run whose input names them as %s with a typed 4xx, never 500',
    async (_, secrets) => {
      const mine = await claimed('alpha', { secrets });
      const response = await call('alpha', 'POST', `/runs/${mine.runId}/secrets`, { lease: mine.token });
      const { status, code } = await errorOf(response);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(typeof code).toBe('string');
    },
  );

  it('releases a named secret to the runner holding the run, and answers bad requests with typed 4xx', async () => {
    const mine = await claimed('alpha', { secrets: ['API_KEY'] });
    const ok = await call('alpha', 'POST', `/runs/${mine.runId}/secrets`, { lease: mine.token });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ secrets: { API_KEY: 'v4lue' } });
    const theirs = await claimed('beta', { secrets: ['API_KEY'] });
    for (const response of [
      await call('alpha', 'POST', `/runs/${mine.runId}/secrets`),
      await call('alpha', 'POST', `/runs/${theirs.runId}/secrets`, { lease: theirs.token }),
      await call('alpha', 'POST', `/runs/${mine.runId}/secrets`, { lease: 'x'.repeat(300) }),
      await call('alpha', 'POST', '/runs/%00/secrets', { lease: mine.token }),
    ]) {
      const { status, code } = await errorOf(response);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(500);
    }
  });

  it('refuses to complete, renew or append to a run of another pool (404), and a stale lease (409)', async () => {
    const theirs = await claimed('beta');
    const hash = 'a'.repeat(64);
    for (const [path, body] of [
      [`/runs/${theirs.runId}/complete`, { envelopeHash: hash }],
      [`/runs/${theirs.runId}/lease`, { ttlMs: 5_000 }],
      [`/runs/${theirs.runId}/events`, { events: [{ type: 'step.started', data: { step: 1 } }] }],
      [`/runs/${theirs.runId}/update`, { patch: { status: 'queued', lease: null } }],
    ] as const)
      expect((await call('alpha', 'POST', path, { body, lease: theirs.token })).status).toBe(404);
    const mine = await claimed('alpha');
    const stale = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: 'not-the-token',
      body: { events: [{ type: 'step.started', data: { step: 1 } }] },
    });
    expect(await errorOf(stale)).toEqual({ status: 409, code: 'stale_lease' });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(0);
    expect(await server.store.readEvents(theirs.sessionId)).toHaveLength(0);
  });
  it('completes a run only with a receipt uploaded for it: another pool’s blob is as missing as none', async () => {
    const mine = await claimed('alpha');
    const theirs = await claimed('beta');
    const usage = { inputTokens: 1, outputTokens: 1 };
    const ended = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: { events: [{ type: 'run.completed', data: { status: 'succeeded', text: 'done', usage } }] },
    });
    expect(ended.status).toBe(200);
    for (const hash of [theirs.manifest, sha256Hex(Buffer.from('never stored'))]) {
      const response = await call('alpha', 'POST', `/runs/${mine.runId}/complete`, {
        lease: mine.token,
        body: { envelopeHash: hash },
      });
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(response.status).toBe(400);
      expect(body.error.code).toBe('receipt_refused');
      // The same answer for both: nothing about what the other pool's blob holds.
      expect(body.error.message).toBe(`no blob ${hash} for this run: upload the receipt first`);
    }
  });

  it('refuses a runner’s answer to a question in anyone’s name (403): people answer on the plane', async () => {
    const mine = await claimed('alpha');
    const answered = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: {
        events: [{ type: 'input.provided', data: { requestId: 'req_1', answer: 'yes', by: 'alice' } }],
      },
    });
    expect(await errorOf(answered)).toEqual({ status: 403, code: 'runner_event_refused' });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(0);
  });

  it('refuses lifecycle events on a run that ended (409): a finished run is not revived or re-ended', async () => {
    const mine = await claimed('alpha');
    const append = (type: string, data: unknown) =>
      call('alpha', 'POST', `/runs/${mine.runId}/events`, {
        lease: mine.token,
        body: { events: [{ type, data }] },
      });
    const usage = { inputTokens: 1, outputTokens: 1 };
    expect((await append('run.completed', { status: 'succeeded', text: 'done', usage })).status).toBe(200);
    for (const [type, data] of [
      ['run.started', { agent: 'exec', attempt: 1, definitionHash: 'd' }],
      ['run.failed', { error: { code: 'x', message: 'y' } }],
      ['run.completed', { status: 'succeeded', text: 'again', usage: { inputTokens: 9, outputTokens: 9 } }],
      ['run.cancelled', {}],
    ] as const)
      expect(await errorOf(await append(type, data))).toEqual({ status: 409, code: 'conflict' });
    const run = await server.store.getRun(mine.runId);
    expect({ status: run?.status, usage: run?.usage }).toEqual({ status: 'succeeded', usage });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(1);
    // Nor in one batch: an end, then another.
    const other = await claimed('alpha');
    const batch = await call('alpha', 'POST', `/runs/${other.runId}/events`, {
      lease: other.token,
      body: {
        events: [
          { type: 'run.completed', data: { status: 'succeeded', text: 'done', usage } },
          { type: 'run.failed', data: { error: { code: 'x', message: 'y' } } },
        ],
      },
    });
    expect(await errorOf(batch)).toEqual({ status: 409, code: 'conflict' });
    expect(await server.store.readEvents(other.sessionId)).toHaveLength(0);
  });

  it('refuses a runner announcing itself under the id of another pool’s worker or the plane’s own (409)', async () => {
    const worker = (id: string) => ({
      id,
      host: 'h',
      pid: 1,
      agents: [],
      agentModules: [],
      loadsModules: false,
      unloadableModules: [],
      kinds: ['exec'],
      kindAgents: [],
      concurrency: 1,
      runsInFlight: 0,
      startedAt: new Date().toISOString(),
      publicKey,
    });
    expect(
      (await call('beta', 'POST', '/workers', { body: { ttlMs: 60_000, worker: worker('wrk_beta') } }))
        .status,
    ).toBe(204);
    await server.store.announceWorker({ ...worker('wrk_plane'), publicKey: undefined } as never, 60_000);
    for (const id of ['wrk_beta', 'wrk_plane']) {
      const spoofed = await call('alpha', 'POST', '/workers', {
        body: { ttlMs: 60_000, worker: worker(id) },
      });
      expect(await errorOf(spoofed)).toEqual({ status: 409, code: 'conflict' });
    }
    const listed = await server.store.listWorkers();
    expect(listed.find((entry) => entry.id === 'wrk_beta')?.pool).toBe('beta');
    expect(listed.find((entry) => entry.id === 'wrk_plane')?.pool ?? null).toBeNull();
    expect(
      (await call('alpha', 'POST', '/workers', { body: { ttlMs: 60_000, worker: worker('wrk_alpha') } }))
        .status,
    ).toBe(204);
    expect(
      (await call('alpha', 'POST', '/workers', { body: { ttlMs: 60_000, worker: worker('wrk_alpha') } }))
        .status,
    ).toBe(204);
  });
  it('never lets a runner wind a run’s active time back (what its time limit is measured on)', async () => {
    const mine = await claimed('alpha');
    const activeMs = async () => (await server.store.getRun(mine.runId))?.activeMs;
    const update = (ms: number) =>
      call('alpha', 'POST', `/runs/${mine.runId}/update`, {
        lease: mine.token,
        body: { patch: { activeMs: ms } },
      });
    expect((await update(5_000)).status).toBe(200);
    expect((await update(10)).status).toBe(200);
    expect(await activeMs()).toBe(5_000);
    const renewed = await call('alpha', 'POST', `/runs/${mine.runId}/lease`, {
      lease: mine.token,
      body: { ttlMs: 60_000, activeMs: 1 },
    });
    expect(renewed.status).toBe(200);
    expect(await activeMs()).toBe(5_000);
    const appended = await call('alpha', 'POST', `/runs/${mine.runId}/events`, {
      lease: mine.token,
      body: { events: [{ type: 'step.started', data: { step: 1 } }], runPatch: { activeMs: 2 } },
    });
    expect(appended.status).toBe(200);
    expect(await activeMs()).toBe(5_000);
    expect((await update(6_000)).status).toBe(200);
    expect(await activeMs()).toBe(6_000);
  });
  it('refuses a runner’s gate naming another session’s approval or question id (400), so a person deciding it decides what they see', async () => {
    const mine = await claimed('alpha');
    const theirs = await claimed('beta');
    const request = (approvalId: string) => ({
      type: 'approval.requested',
      data: {
        approvalId,
        toolCallId: 'call_1',
        name: 'harmless',
        input: {},
        inputHash: 'h',
        agent: 'exec',
        requestedAt: new Date().toISOString(),
        runPath: [],
      },
    });
    const question = (requestId: string) => ({
      type: 'input.requested',
      data: { requestId, toolCallId: 'call_2', question: 'ok?', agent: 'exec', runPath: [] },
    });
    const append = (event: unknown) =>
      call('alpha', 'POST', `/runs/${mine.runId}/events`, { lease: mine.token, body: { events: [event] } });
    const foreign = gateId('approval', { sessionId: theirs.sessionId, runId: theirs.runId, toolCallId: 'c' });
    const foreignQuestion = gateId('question', {
      sessionId: theirs.sessionId,
      runId: theirs.runId,
      toolCallId: 'c',
    });
    for (const event of [
      request(foreign),
      request('apr_made_up'),
      question(foreignQuestion),
      { type: 'approval.requested', data: { approvalId: 5 } },
      { type: 'input.requested', data: { requestId: gateId('question', { ...mine, toolCallId: 'q' }) } },
      { type: 'approval.expired', data: { approvalId: 7 } },
    ])
      expect(await errorOf(await append(event))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await server.store.readEvents(mine.sessionId)).toHaveLength(0);
    const own = gateId('approval', { sessionId: mine.sessionId, runId: mine.runId, toolCallId: 'call_1' });
    expect((await append(request(own))).status).toBe(200);
    const ownQuestion = gateId('question', {
      sessionId: mine.sessionId,
      runId: mine.runId,
      toolCallId: 'call_2',
    });
    expect((await append(question(ownQuestion))).status).toBe(200);
  });
  it('holds at most 64 long-polling claims of a pool at once; the rest answer at once (204)', async () => {
    const waitMs = 4_000;
    const started = Date.now();
    const took = await Promise.all(
      Array.from({ length: 80 }, async () => {
        const response = await call('beta', 'POST', '/claim', {
          body: { owner: 'poller', ttlMs: 60_000, waitMs, publicKey, filter: { kinds: ['nothing-queued'] } },
        });
        expect(response.status).toBe(204);
        return Date.now() - started;
      }),
    );
    expect(took.filter((ms) => ms >= waitMs - 300)).toHaveLength(64);
  });
});

describe('a runner’s blobs across a plane restart', () => {
  let dir = '';
  let db = '';
  let server: TestServer;
  let publicKey = '';
  const access = runnerAccess(['alpha=token-alpha'], 'none');
  const headers = (lease?: string) => ({
    authorization: 'Bearer token-alpha',
    ...(lease !== undefined && { 'baton-lease': lease }),
  });
  const base = () => `${server.url}/v1/runner/alpha`;
  const post = (path: string, body: unknown, lease?: string) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { ...headers(lease), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const put = (runId: string, bytes: Buffer, lease: string) =>
    fetch(`${base()}/runs/${runId}/blobs/${sha256Hex(bytes)}`, {
      method: 'PUT',
      headers: { ...headers(lease), 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
    });
  const namePatch = (runId: string, hash: string, lease: string) =>
    post(
      `/runs/${runId}/events`,
      {
        events: [
          { type: 'workspace.patch', data: { patchHash: hash, files: 1, insertions: 1, deletions: 0 } },
        ],
      },
      lease,
    );
  /** The plane restarts on the same store: what it kept in memory is gone, the store is not. */
  const restart = async (runnerBlobQuota?: { maxBlobs: number; maxBytes: number }) => {
    await server.close();
    server = await startTestServer({
      workers: 0,
      runnerAccess: access,
      store: new SqliteStore(db),
      ...(runnerBlobQuota && { runnerBlobQuota }),
    });
  };
  /** Queues run `id` of pool alpha and claims it; its lease token. */
  const claimed = async (id: string): Promise<string> => {
    await server.store.startSession({
      session: { id: `ses_${id}`, agent: 'exec', context: {}, auth: {}, tokenHash: id },
      events: [],
      run: {
        id: `run_${id}`,
        sessionId: `ses_${id}`,
        agent: 'exec',
        kind: 'exec',
        input: {},
        idempotencyKey: null,
        pool: 'alpha',
      },
    });
    const claim = (await (
      await post('/claim', { owner: 'r', ttlMs: 600_000, publicKey, filter: { kinds: ['exec'] } })
    ).json()) as { run: { id: string }; lease: { token: string } };
    expect(claim.run.id).toBe(`run_${id}`);
    return claim.lease.token;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-restart-'));
    db = join(dir, 'plane.db');
    server = await startTestServer({ workers: 0, runnerAccess: access, store: new SqliteStore(db) });
    const keys = await loadOrCreateKeys(dir);
    publicKey = keys.publicKeyHex;
    const registered = await post('/keys', {
      proof: signStatement(runnerKeyStatement('alpha', publicKey), keys),
    });
    expect(registered.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the patch a runner uploaded and named readable to its run after the plane restarts', async () => {
    const lease = await claimed('restart');
    const patch = Buffer.from('diff --git a/x b/x');
    const hash = sha256Hex(patch);
    expect((await put('run_restart', patch, lease)).status).toBe(204);
    expect((await namePatch('run_restart', hash, lease)).status).toBe(200);
    await restart();
    const back = await fetch(`${base()}/runs/run_restart/blobs/${hash}`, { headers: headers(lease) });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(patch)).toBe(true);
  });

  it('takes a patch uploaded before a plane restart and named after it, for its own run only', async () => {
    const lease = await claimed('uploaded');
    const otherLease = await claimed('other');
    const patch = Buffer.from('diff --git a/y b/y');
    const hash = sha256Hex(patch);
    expect((await put('run_uploaded', patch, lease)).status).toBe(204);
    await restart();
    // Another run of the same pool did not upload it: naming it there is still refused.
    const forged = await namePatch('run_other', hash, otherLease);
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('runner_event_refused');
    const read = await fetch(`${base()}/runs/run_other/blobs/${hash}`, { headers: headers(otherLease) });
    expect(read.status).toBe(404);
    const named = await namePatch('run_uploaded', hash, lease);
    expect(named.status, await named.clone().text()).toBe(200);
  });

  it('takes a patch uploaded through a second plane process on the same store, once it knew the run', async () => {
    const lease = await claimed('two_planes');
    const before = Buffer.from('diff --git a/w b/w');
    // This process loads (and keeps) the run's upload account first.
    expect((await put('run_two_planes', before, lease)).status).toBe(204);
    const second = await startTestServer({ workers: 0, runnerAccess: access, store: new SqliteStore(db) });
    try {
      const patch = Buffer.from('diff --git a/z b/z');
      const hash = sha256Hex(patch);
      const uploaded = await fetch(`${second.url}/v1/runner/alpha/runs/run_two_planes/blobs/${hash}`, {
        method: 'PUT',
        headers: { ...headers(lease), 'content-type': 'application/octet-stream' },
        body: new Uint8Array(patch),
      });
      expect(uploaded.status).toBe(204);
      const named = await namePatch('run_two_planes', hash, lease);
      expect(named.status, await named.clone().text()).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('counts what a run uploaded before a plane restart against its quota after it', async () => {
    const quota = { maxBlobs: 2, maxBytes: 1024 * 1024 };
    await restart(quota);
    const lease = await claimed('quota');
    expect((await put('run_quota', Buffer.from('one'), lease)).status).toBe(204);
    expect((await put('run_quota', Buffer.from('two'), lease)).status).toBe(204);
    await restart(quota);
    const third = await put('run_quota', Buffer.from('three'), lease);
    expect(third.status).toBe(413);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('blob_quota_exceeded');
  });
});
