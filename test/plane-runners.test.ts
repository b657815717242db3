import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaneStore } from '../src/client/plane-store.js';
import { issueReceipt } from '../src/governed/issue.js';
import { runnerKeyStatement } from '../src/governed/runner-plane.js';
import { startExec } from '../src/governed/start-exec.js';
import { loadOrCreateKeys, type SigningKeys } from '../src/proof/keys.js';
import { signStatement } from '../src/proof/signature.js';
import type { ProofEnvelope } from '../src/proof/statements.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// One plane (`baton serve` on a real SQLite file) and runner processes that each have their
// own Baton home and working directory and no --db: the plane's store is not where they look.
// Runs are real `exec` runs (the mock agent: a command that writes a visible file) under bwrap.

interface Runner extends RunnerProcess {
  keys: SigningKeys;
}

const LONG = { timeoutMs: 90_000, intervalMs: 100 };

describe('plane and runners over HTTP', () => {
  let outside = '';
  let repo: TempRepo;
  let planeHome = '';
  let db = '';
  let plane: ServeProcess;
  let store: SqliteStore;
  let planeKeys: SigningKeys;
  const runners: Runner[] = [];

  beforeAll(async () => {
    outside = outsideTmpDir('baton-plane-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    planeHome = join(outside, 'plane');
    mkdirSync(planeHome);
    db = join(planeHome, 'baton.db');
    plane = await startServeProcess(['--db', db, '--port', '0'], { env: { BATON_HOME: planeHome } });
    store = new SqliteStore(db);
    planeKeys = await loadOrCreateKeys(planeHome);
  }, 60_000);

  afterAll(async () => {
    for (const runner of runners) killGroup(runner.child);
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    await store?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const startRunner = async (name: string): Promise<Runner> => {
    const started = await startRunnerProcess(plane.url, join(outside, name), [
      '--lease-ttl',
      '3000',
      '--poll-interval',
      '100',
    ]);
    const runner = { ...started, keys: await loadOrCreateKeys(started.home) };
    runners.push(runner);
    return runner;
  };

  const queue = async (command: string[]) =>
    startExec(store, {
      dir: repo.dir,
      command,
      keys: planeKeys,
      batonHome: planeHome,
      storePath: db,
      pool: 'default',
    });

  const receiptOf = async (runId: string): Promise<ProofEnvelope> => {
    const event = await waitFor(
      async () => {
        const run = await store.getRun(runId);
        const events = await store.readEvents(run?.sessionId ?? '');
        return events.find((entry) => entry.type === 'receipt.issued' && entry.runId === runId);
      },
      {
        ...LONG,
        message: () => `the receipt of ${runId}; runners: ${runners.map((r) => r.stderr()).join('\n')}`,
      },
    );
    if (event.type !== 'receipt.issued') throw new Error('not a receipt');
    const bytes = await store.getBlob(event.data.envelopeHash);
    return JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')) as ProofEnvelope;
  };

  const openFiles = (pid: number): string[] =>
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        // A descriptor closed between the listing and the read names nothing.
        return [];
      }
    });

  it('runs a pool run on a runner with no database; the plane pulls its patch and the trust file verifies it', async () => {
    const runner = await startRunner('runner-a');
    const started = await queue(['sh', '-c', 'echo from-the-runner > visible.txt']);
    const envelope = await receiptOf(started.runId);
    expect(envelope.receipt).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(envelope.receipt.runner).toMatchObject({ kind: 'pool', pool: 'default' });
    expect(envelope.signatures.receipt.publicKey).toBe(runner.keys.publicKeyHex);
    expect(envelope.signatures.contract.publicKey).toBe(planeKeys.publicKeyHex);
    expect(envelope.contract.pool).toBe('default');
    // The runner never opened the plane's store, nor made one of its own.
    expect(openFiles(runner.child.pid ?? 0).some((path) => path.startsWith(planeHome))).toBe(false);
    expect(existsSync(join(outside, 'runner-a', '.baton'))).toBe(false);
    expect(readdirSync(runner.home).some((name) => name.endsWith('.db'))).toBe(false);
    // It is listed with its pool, and its run went through the plane's in-process workers' hands untouched.
    const workers = await runCli(['workers', 'list', '--json', '--db', db]);
    const listed = JSON.parse(workers.stdout) as { pool?: string; publicKey?: string }[];
    expect(listed).toContainEqual(
      expect.objectContaining({ pool: 'default', publicKey: runner.keys.publicKeyHex }),
    );

    const pulled = await runCli(['pull', started.runId, '--db', db], { cwd: repo.dir });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(readFileSync(join(repo.dir, 'visible.txt'), 'utf8')).toBe('from-the-runner\n');

    const receiptFile = join(outside, 'receipt.json');
    const receipt = await runCli(['receipt', started.runId, '--db', db], { env: { BATON_HOME: planeHome } });
    expect(receipt.code, receipt.stderr).toBe(0);
    writeFileSync(receiptFile, receipt.stdout);
    const exported = await runCli(['keys', 'export-trust', '--db', db], { env: { BATON_HOME: planeHome } });
    expect(exported.code, exported.stderr).toBe(0);
    const trust = JSON.parse(exported.stdout) as {
      planes: string[];
      runners: { pool: string; publicKey: string }[];
    };
    expect(trust.planes).toEqual([planeKeys.publicKeyHex]);
    expect(trust.runners).toContainEqual({ pool: 'default', publicKey: runner.keys.publicKeyHex });
    const trustFile = join(outside, 'trust.json');
    writeFileSync(trustFile, exported.stdout);
    const accepted = await runCli(['verify', receiptFile, '--trust', trustFile]);
    expect(accepted.code, accepted.stderr).toBe(0);

    const wrongTrust = join(outside, 'wrong-trust.json');
    writeFileSync(wrongTrust, JSON.stringify({ ...trust, runners: [] }));
    const rejected = await runCli(['verify', receiptFile, '--trust', wrongTrust]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/runner key/);
    const otherPlane = join(outside, 'other-plane.json');
    writeFileSync(otherPlane, JSON.stringify({ ...trust, planes: [runner.keys.publicKeyHex] }));
    expect((await runCli(['verify', receiptFile, '--trust', otherPlane])).code).toBe(1);
  }, 180_000);

  it('replaces a runner killed mid-run with another of its pool once the lease expires', async () => {
    const [first] = runners;
    if (!first) throw new Error('the first test starts a runner');
    const started = await queue(['sh', '-c', 'sleep 3; echo survived > late.txt']);
    await waitFor(
      async () => {
        const run = await store.getRun(started.runId);
        return run?.status === 'running' && run.attempt === 1;
      },
      { ...LONG, message: 'the first runner to start the run' },
    );
    await waitFor(async () => {
      const run = await store.getRun(started.runId);
      const events = await store.readEvents(run?.sessionId ?? '');
      return events.some((event) => event.type === 'run.started');
    }, LONG);
    killGroup(first.child);
    const second = await startRunner('runner-b');
    const envelope = await receiptOf(started.runId);
    expect(envelope.receipt).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(envelope.signatures.receipt.publicKey).toBe(second.keys.publicKeyHex);
    expect(envelope.receipt.runner.id).toContain(hostname());
  }, 180_000);

  it('refuses a stale lease (409), an unregistered claimer and a receipt signed by an unregistered key (403)', async () => {
    const rogueHome = join(outside, 'rogue');
    const registered = await loadOrCreateKeys(join(rogueHome, 'registered'));
    const unregistered = await loadOrCreateKeys(join(rogueHome, 'unregistered'));
    const client = new PlaneStore({ url: plane.url, pool: 'default', keys: registered, claimWaitMs: 0 });
    const stranger = new PlaneStore({ url: plane.url, pool: 'default', keys: unregistered, claimWaitMs: 0 });
    // The second runner keeps claiming; stop it so that this test's claims get the run.
    for (const runner of runners) killGroup(runner.child);
    await expect(stranger.claimRun('stranger', 5_000, { filter: { kinds: ['exec'] } })).rejects.toMatchObject(
      {
        code: 'unregistered_runner_key',
      },
    );
    await client.registerKey(
      signStatement(runnerKeyStatement('default', registered.publicKeyHex), registered),
    );
    const started = await queue(['true']);
    const stale = await waitFor(
      () => client.claimRun('old-owner', 1_000, { filter: { kinds: ['exec'] } }),
      LONG,
    );
    expect(stale.run.id).toBe(started.runId);
    const staleToken = stale.lease.token;
    const fresh = await waitFor(
      () => client.claimRun('new-owner', 60_000, { filter: { kinds: ['exec'] } }),
      LONG,
    );
    const append = (token: string) =>
      fetch(`${plane.url}/v1/runner/default/runs/${started.runId}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'baton-lease': token },
        body: JSON.stringify({
          events: [
            {
              type: 'run.completed',
              data: { status: 'succeeded', text: 'x', usage: { inputTokens: 0, outputTokens: 0 } },
            },
          ],
        }),
      });
    const refused = await append(staleToken);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('stale_lease');
    const forged = await fetch(`${plane.url}/v1/runner/default/runs/${started.runId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'baton-lease': fresh.lease.token },
      body: JSON.stringify({ events: [{ type: 'receipt.issued', data: { envelopeHash: '0'.repeat(64) } }] }),
    });
    expect(forged.status).toBe(403);
    const ok = await append(fresh.lease.token);
    expect(ok.status, await ok.clone().text()).toBe(200);
    // The run ended; a receipt signed by a key nobody registered is refused.
    await expect(
      issueReceipt(client, started.runId, unregistered, {
        kind: 'pool',
        host: hostname(),
        pool: 'default',
        id: 'x',
      }),
    ).rejects.toMatchObject({ code: 'unregistered_runner_key' });
    expect(
      (await store.readEvents(stale.run.sessionId)).some((event) => event.type === 'receipt.issued'),
    ).toBe(false);
    await issueReceipt(client, started.runId, registered, {
      kind: 'pool',
      host: hostname(),
      pool: 'default',
      id: 'x',
    });
    expect((await store.getRun(started.runId))?.lease).toBeNull();
  }, 180_000);

  it('answers bad runner input with typed 4xx errors', async () => {
    const call = async (path: string, init: RequestInit) => {
      const response = await fetch(`${plane.url}/v1/runner/default${path}`, init);
      const body = (await response.json()) as { error: { code: string } };
      return [response.status, body.error.code];
    };
    const json = { 'content-type': 'application/json' };
    expect(await call('/claim', { method: 'POST', headers: json, body: '{' })).toEqual([
      400,
      'invalid_request',
    ]);
    expect(
      await call('/claim', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }),
    ).toEqual([415, 'unsupported_media_type']);
    const big = JSON.stringify({
      events: [{ type: 'tool.result', data: { text: 'x'.repeat(2 * 1024 * 1024) } }],
    });
    expect(await call('/runs/run_x/events', { method: 'POST', headers: json, body: big })).toEqual([
      413,
      'payload_too_large',
    ]);
    expect(
      await call(`/runs/run_x/blobs/${'0'.repeat(64)}`, {
        method: 'PUT',
        headers: { 'baton-lease': 'x' },
        body: 'not those bytes',
      }),
    ).toEqual([400, 'blob_hash_mismatch']);
    expect(await call('/runs/run_nope', { headers: { 'baton-lease': 'x' } })).toEqual([404, 'not_found']);
  }, 60_000);

  it('requires the pool runner token when the API has auth', async () => {
    const home = join(outside, 'secured');
    mkdirSync(home);
    const secured = await startServeProcess(
      [
        '--db',
        join(home, 'baton.db'),
        '--port',
        '0',
        '--auth',
        'bearer',
        '--runner-token',
        'default=runner-secret',
      ],
      { env: { BATON_HOME: home, BATON_API_TOKEN: 'api-secret' } },
    );
    try {
      const keys = await loadOrCreateKeys(join(home, 'runner'));
      const proof = JSON.stringify({
        proof: signStatement(runnerKeyStatement('default', keys.publicKeyHex), keys),
      });
      const register = (token?: string) =>
        fetch(`${secured.url}/v1/runner/default/keys`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
          body: proof,
        });
      expect((await register()).status).toBe(401);
      expect((await register('api-secret')).status).toBe(401);
      expect((await register('runner-secret')).status).toBe(201);
      const otherPool = await fetch(`${secured.url}/v1/runner/gpu/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer runner-secret' },
        body: proof,
      });
      expect(otherPool.status).toBe(403);
    } finally {
      secured.child.kill('SIGTERM');
      await secured.exited;
    }
  }, 120_000);
});

function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone: nothing left to kill.
  }
}
