import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonClient } from '../src/client/index.js';
import { createClient } from '../src/client/index.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

const STEPS = 8;

/** An agent whose tool takes a while and logs each execution, so a shutdown lands mid-run. */
const slowAgent = `
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { defineAgent, scriptedModel, tool } from '${join(REPO_ROOT, 'src', 'index.js')}';

const work = tool({
  name: 'work',
  description: 'Slow, non-idempotent work',
  inputSchema: z.object({ n: z.number() }),
  execute: async ({ n }, context) => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    appendFileSync(process.env.WORK_LOG, context.toolCallId + '\\n');
    return { n };
  },
});

export default defineAgent({
  name: 'slow',
  instructions: 'Work, then report.',
  tools: [work],
  model: scriptedModel((request) =>
    request.step < ${STEPS} ? { toolCalls: [{ name: 'work', input: { n: request.step } }] } : { text: 'all done' },
  ),
});
`;

/** Reads the session's stream until `count` tool results have committed, then lets go of it. */
async function awaitToolResults(client: BatonClient, sessionId: string, count: number): Promise<void> {
  let toolResults = 0;
  for await (const event of client.stream(sessionId)) {
    if (event.type === 'tool.result') toolResults += 1;
    if (toolResults === count) return;
  }
  throw new Error(`the stream ended after ${toolResults} of ${count} tool results`);
}

/** The session's persisted events from the start until its stream ends (the session went idle). */
async function persistedLog(client: BatonClient, sessionId: string): Promise<BatonEvent[]> {
  const log: BatonEvent[] = [];
  for await (const event of client.stream(sessionId)) if (event.type !== 'model.delta') log.push(event);
  return log;
}

describe('baton serve', () => {
  let dir: string;
  let agentsDir: string;
  let db: string;
  let workLog: string;
  const running: ServeProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-serve-'));
    // Agent modules import zod by name: resolve it through the repository's node_modules.
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    writeFileSync(join(agentsDir, 'slow.ts'), slowAgent);
    db = join(dir, 'baton.db');
    workLog = join(dir, 'work.log');
    writeFileSync(workLog, '');
  });

  afterAll(() => {
    for (const server of running) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const serveHere = async (extra: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const server = await startServeProcess(
      ['--agents', agentsDir, '--db', db, '--port', '0', '--workers', '1', ...extra],
      {
        env: { WORK_LOG: workLog, ...env },
      },
    );
    running.push(server);
    return server;
  };

  it('drains on SIGTERM with a run in flight, and the next server on the same db finishes it', async () => {
    const first = await serveHere();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toMatch(/:0$/);
    const client = createClient({ baseUrl: first.url });
    expect((await client.listAgents()).map((agent) => agent.name)).toEqual(['slow']);
    const { sessionId, runId } = await client.startSession({ agent: 'slow', message: 'go' });
    await awaitToolResults(client, sessionId, 2);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('stopped');
    const afterStop = readFileSync(workLog, 'utf8').split('\n').filter(Boolean).length;
    expect(afterStop).toBeLessThan(STEPS);

    const second = await serveHere();
    const resumed = createClient({ baseUrl: second.url });
    const log = await persistedLog(resumed, sessionId);
    expect(log.at(-1)).toMatchObject({ type: 'run.completed', runId, data: { text: 'all done' } });
    expect(verifyChain(log)).toMatchObject({ ok: true });
    const results = log.filter((event) => event.type === 'tool.result');
    expect(results).toHaveLength(STEPS);
    expect(results.every((event) => event.type === 'tool.result' && event.data.ok)).toBe(true);
    // The work tool is not idempotent: each call ran exactly once across both servers.
    const executed = readFileSync(workLog, 'utf8').split('\n').filter(Boolean);
    expect(executed).toHaveLength(STEPS);
    expect(new Set(executed).size).toBe(STEPS);
    expect((await resumed.getRun(runId)).status).toBe('succeeded');

    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('resumes on start a run whose server was killed, once its lease expired', async () => {
    const crashDb = join(dir, 'crash.db');
    const crashLog = join(dir, 'crash.log');
    writeFileSync(crashLog, '');
    const flags = [
      '--agents',
      agentsDir,
      '--db',
      crashDb,
      '--port',
      '0',
      '--workers',
      '1',
      '--lease-ttl',
      '1000',
    ];
    const first = await startServeProcess(flags, { env: { WORK_LOG: crashLog } });
    running.push(first);
    const client = createClient({ baseUrl: first.url });
    const { sessionId, runId } = await client.startSession({ agent: 'slow', message: 'go' });
    await awaitToolResults(client, sessionId, 2);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startServeProcess(flags, { env: { WORK_LOG: crashLog } });
    running.push(second);
    const resumed = createClient({ baseUrl: second.url });
    const log = await persistedLog(resumed, sessionId);
    expect(log.at(-1)).toMatchObject({ type: 'run.completed', runId, data: { text: 'all done' } });
    expect(verifyChain(log)).toMatchObject({ ok: true });
    const run = await resumed.getRun(runId);
    expect(run.status).toBe('succeeded');
    expect(run.attempt).toBeGreaterThan(1);
    // Not idempotent: a call cut off by the kill is reported as interrupted, never run twice.
    const executed = readFileSync(crashLog, 'utf8').split('\n').filter(Boolean);
    expect(new Set(executed).size).toBe(executed.length);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('with --workers 0 only serves, and streams what a separate baton worker executes', async () => {
    const sharedDb = join(dir, 'shared.db');
    const server = await startServeProcess(
      ['--agents', agentsDir, '--db', sharedDb, '--port', '0', '--workers', '0'],
      {
        env: { WORK_LOG: join(dir, 'shared.log') },
      },
    );
    running.push(server);
    const client = createClient({ baseUrl: server.url });
    const { sessionId, runId } = await client.startSession({ agent: 'slow', message: 'go' });
    const streamed = persistedLog(client, sessionId);
    const worker = await runCli(['worker', '--db', sharedDb, '--agents', agentsDir, '--until-idle'], {
      env: { WORK_LOG: join(dir, 'shared.log') },
    });
    expect(worker.code).toBe(0);
    const log = await streamed;
    expect(log.at(-1)).toMatchObject({ type: 'run.completed', runId });
    expect(verifyChain(log)).toMatchObject({ ok: true });
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('requires the secret of the chosen auth mode and names the variable', async () => {
    const environment = { BATON_API_TOKEN: '', BATON_BASIC_USER: '', BATON_BASIC_PASSWORD: '' };
    const [bearer, basic] = await Promise.all([
      runCli(['serve', '--agents', agentsDir, '--db', db, '--port', '0', '--auth', 'bearer'], {
        env: environment,
      }),
      runCli(['serve', '--agents', agentsDir, '--db', db, '--port', '0', '--auth', 'basic'], {
        env: { ...environment, BATON_BASIC_USER: 'ada' },
      }),
    ]);
    expect(bearer.code).toBe(2);
    expect(bearer.stderr).toContain('BATON_API_TOKEN');
    expect(basic.code).toBe(2);
    expect(basic.stderr).toContain('BATON_BASIC_PASSWORD');
  });

  it('rejects bad flags as usage errors', async () => {
    const invalid = [
      ['--port', '70000'],
      ['--port', 'abc'],
      ['--workers', '-1'],
      ['--auth', 'magic'],
    ];
    const results = await Promise.all(
      invalid.map((flags) => runCli(['serve', '--agents', agentsDir, '--db', db, ...flags])),
    );
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2]);
  });

  it('serves with bearer auth from BATON_API_TOKEN, keeping health open', async () => {
    const server = await serveHere(['--auth', 'bearer', '--workers', '0'], {
      BATON_API_TOKEN: 'serve-secret',
    });
    expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/agents`)).status).toBe(401);
    const client = createClient({ baseUrl: server.url, token: 'serve-secret' });
    expect((await client.listAgents()).map((agent) => agent.name)).toEqual(['slow']);
    expect(server.stdout()).not.toContain('serve-secret');
    expect(server.stderr()).not.toContain('serve-secret');
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
