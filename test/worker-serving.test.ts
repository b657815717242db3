import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import type { RunView } from '../src/runtime/types.js';
import type { WorkerRecord } from '../src/store/worker-registry.js';
import { waitFor } from '../src/testing/wait-for.js';
import { spawnCli } from './fixtures/effects.js';
import { detachRun, REPO_ROOT, runCli } from './helpers/cli.js';
import { startServeProcess } from './helpers/serve-process.js';

const INDEX = join(REPO_ROOT, 'src', 'index.js');

/** `alpha` hands off to `beta` (defined in the same module); `gamma` stands alone. */
const ALPHA = `
import { defineAgent, scriptedModel } from '${INDEX}';
const beta = defineAgent({ name: 'beta', instructions: 'b', model: scriptedModel(() => ({ text: 'beta here' })) });
export default defineAgent({ name: 'alpha', instructions: 'a', handoffs: [beta], model: scriptedModel(() => ({ text: 'alpha here' })) });
`;
const GAMMA = `
import { defineAgent, scriptedModel } from '${INDEX}';
export default defineAgent({ name: 'gamma', instructions: 'g', model: scriptedModel(() => ({ text: 'gamma here' })) });
`;

describe('workers claim only what they serve', () => {
  let dir: string;
  let agentsDir: string;
  let alpha: string;
  let gamma: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-serving-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    alpha = join(agentsDir, 'alpha.ts');
    gamma = join(agentsDir, 'gamma.ts');
    writeFileSync(alpha, ALPHA);
    writeFileSync(gamma, GAMMA);
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const fresh = (name: string) => join(mkdtempSync(join(dir, `${name}-`)), 'baton.db');

  const detach = async (db: string, file: string) => (await detachRun(file, db)).runId;

  async function show(db: string, runId: string): Promise<RunView & { queuedReason?: string }> {
    const result = await runCli(['runs', 'show', runId, '--json', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as RunView & { queuedReason?: string };
  }

  /** Starts a worker in the background and waits until it is announced in the store. */
  async function liveWorker(db: string, args: string[]): Promise<WorkerRecord> {
    const child = spawnCli(
      ['worker', '--db', db, '--lease-ttl', '600', '--poll-interval', '20', ...args],
      {},
    );
    children.push(child);
    return waitFor(
      async () => {
        const listed = await runCli(['workers', 'list', '--json', '--db', db]);
        const workers = JSON.parse(listed.stdout || '[]') as WorkerRecord[];
        const mine = workers.find((worker) => worker.pid === child.pid);
        if (!mine && child.exitCode !== null) throw new Error(`the worker exited: ${child.output()}`);
        return mine;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        message: () => `the worker to announce itself: ${child.output()}`,
      },
    );
  }

  it('serves exactly the agents it was given and those reachable by handoff; leaves the rest queued, saying why', async () => {
    const db = fresh('given');
    const gammaRun = await detach(db, gamma);
    const alphaRun = await detach(db, alpha);
    const worker = await runCli([
      'worker',
      '--until-idle',
      '--agent',
      alpha,
      '--poll-interval',
      '20',
      '--db',
      db,
    ]);
    expect(worker.code, worker.stderr).toBe(0);
    expect((await show(db, alphaRun)).status).toBe('succeeded');
    const left = await show(db, gammaRun);
    expect(left).toMatchObject({ status: 'queued', error: null, attempt: 1 });
    expect(left.queuedReason).toContain('no worker is running');

    const announced = await liveWorker(db, ['--agent', alpha]);
    expect(announced).toMatchObject({ agents: ['alpha', 'beta'], loadsModules: false, concurrency: 1 });
    const reason = (await show(db, gammaRun)).queuedReason;
    expect(reason).toContain('no live worker serves agent "gamma"');
    expect(reason).toContain(gamma);
    const human = await runCli(['runs', 'show', gammaRun, '--db', db]);
    expect(human.stdout).toMatch(/waiting\s+no live worker serves agent "gamma"/);
  });

  it('told nothing, serves every run whose recorded module it can load, and names the ones it cannot', async () => {
    const db = fresh('modules');
    const doomed = join(agentsDir, 'doomed.ts');
    writeFileSync(doomed, GAMMA.replace("'gamma'", "'doomed'"));
    const doomedRun = await detach(db, doomed);
    rmSync(doomed);
    const gammaRun = await detach(db, gamma);
    const worker = await runCli(['worker', '--until-idle', '--poll-interval', '20', '--db', db]);
    expect(worker.code, worker.stderr).toBe(0);
    expect((await show(db, gammaRun)).status).toBe('succeeded');
    expect(await show(db, doomedRun)).toMatchObject({ status: 'queued', error: null });

    const announced = await liveWorker(db, []);
    expect(announced.loadsModules).toBe(true);
    const reason = await waitFor(
      async () => {
        const why = (await show(db, doomedRun)).queuedReason;
        return why?.includes('could not load') && why;
      },
      { intervalMs: 100, message: 'the worker to report the module it could not load' },
    );
    expect(reason).toContain('no live worker serves agent "doomed"');
    expect(reason).toContain('does not exist');
  });

  it('claims a delegated task only when it has the agent its profile needs, leaving it queued otherwise', async () => {
    const db = fresh('tasks');
    const server = await startServeProcess(
      ['--port', '0', '--workers', '0', '--agents', agentsDir, '--db', db],
      { cwd: dir, env: { BATON_MODEL: '' } },
    );
    const submit = async (profile: string, args: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile, args }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { taskId: string }).taskId;
    };
    const task = async (taskId: string) =>
      (await (await fetch(`${server.url}/v1/tasks/${taskId}`)).json()) as { status: string; runId?: string };
    try {
      const forGamma = await submit('agent:gamma', { message: 'hi gamma' });
      // No researcher agent is loaded and no model is set for the built-in one.
      const research = await submit('researcher', { question: 'why?' });
      const withoutModel = { env: { BATON_MODEL: '' } };
      const alphaOnly = await runCli(
        ['worker', '--until-idle', '--agent', alpha, '--poll-interval', '20', '--db', db],
        withoutModel,
      );
      expect(alphaOnly.code, alphaOnly.stderr).toBe(0);
      expect((await task(forGamma)).status).toBe('pending');
      expect((await task(research)).status).toBe('pending');

      const gammaOnly = await runCli(
        ['worker', '--until-idle', '--agent', gamma, '--poll-interval', '20', '--db', db],
        withoutModel,
      );
      expect(gammaOnly.code, gammaOnly.stderr).toBe(0);
      expect((await task(forGamma)).status).toBe('completed');
      expect((await task(research)).status).toBe('pending');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('records the agent module of runs baton serve starts, so a worker told nothing runs them', async () => {
    const db = fresh('serve');
    const server = await startServeProcess(
      ['--port', '0', '--workers', '0', '--agents', agentsDir, '--db', db],
      {
        cwd: dir,
      },
    );
    try {
      const client = createClient({ baseUrl: server.url });
      const { sessionId, runId } = await client.startSession({ agent: 'gamma', message: 'hi' });
      expect(await client.getRun(runId)).toMatchObject({ status: 'queued', agentModule: gamma });
      // The session is running from the moment its run is queued.
      expect((await client.getSession(sessionId)).status).toBe('running');
      const worker = await runCli(['worker', '--until-idle', '--poll-interval', '20', '--db', db]);
      expect(worker.code, worker.stderr).toBe(0);
      expect((await client.getRun(runId)).status).toBe('succeeded');
      expect((await client.getSession(sessionId)).status).toBe('idle');

      const announced = await liveWorker(db, ['--agents', agentsDir, '--concurrency', '2']);
      const response = await fetch(`${server.url}/v1/workers`);
      expect(response.status).toBe(200);
      const { workers } = (await response.json()) as { workers: WorkerRecord[] };
      expect(workers.find((worker) => worker.id === announced.id)).toMatchObject({
        pid: announced.pid,
        host: expect.any(String),
        agents: ['alpha', 'beta', 'gamma'],
        concurrency: 2,
        runsInFlight: 0,
        lastHeartbeatAt: expect.any(String),
        // Times on the wire are ISO 8601 strings, expiry included.
        expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      // A killed worker stops heartbeating; its entry expires with its TTL.
      const child = children.find((candidate) => candidate.pid === announced.pid);
      child?.kill('SIGKILL');
      await waitFor(
        async () => {
          const body = (await (await fetch(`${server.url}/v1/workers`)).json()) as {
            workers: WorkerRecord[];
          };
          return !body.workers.some((worker) => worker.id === announced.id);
        },
        { intervalMs: 100, message: `the entry of the killed worker ${announced.id} to expire` },
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
