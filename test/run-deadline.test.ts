import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { spawnCli } from './fixtures/effects.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const TIMEOUT_MS = 2_500;
const ATTEMPT_MS = 1_200;
const MAX_ATTEMPTS = 6;

/** Steps forever (an idempotent tool every 100 ms) under a 2.5 s `timeoutMs`. */
const PLODDER = `
import { z } from 'zod';
import { defineAgent, scriptedModel, tool } from '${join(REPO_ROOT, 'src', 'index.js')}';
const plod = tool({
  name: 'plod', description: 'Takes a while', inputSchema: z.object({}), idempotent: true,
  execute: async () => { await new Promise((resolve) => setTimeout(resolve, 100)); return { ok: true }; },
});
export default defineAgent({
  name: 'plodder', instructions: 'Plod on.', tools: [plod], limits: { timeoutMs: ${TIMEOUT_MS} },
  model: scriptedModel(() => ({ toolCalls: [{ name: 'plod', input: {} }] })),
});
`;

describe('run deadlines', () => {
  let dir: string;
  let agent: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-deadline-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agent = join(dir, 'plodder.ts');
    writeFileSync(agent, PLODDER);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('times out a run whose workers keep crashing: timeoutMs bounds its active time over every attempt', async () => {
    const db = join(dir, 'baton.db');
    const started = await runCli(['run', agent, 'go', '--detach', '--db', db]);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    const store = new SqliteStore(db);
    try {
      let run = await store.getRun(runId);
      // Each worker is killed 1.2 s into its attempt, well inside the 2.5 s timeout: only the
      // time summed over attempts can end the run.
      for (let attempt = 1; run?.status !== 'failed' && attempt <= MAX_ATTEMPTS; attempt += 1) {
        const worker = spawnCli(['worker', '--db', db, '--lease-ttl', '600', '--poll-interval', '20'], {});
        await waitFor(
          async () => {
            run = await store.getRun(runId);
            return run?.status === 'failed' || (run?.status === 'running' && (run?.attempt ?? 0) >= attempt);
          },
          { timeoutMs: 30_000, message: 'the worker to start the run' },
        );
        await sleep(ATTEMPT_MS);
        worker.kill('SIGKILL');
        await new Promise((resolve) => worker.once('close', resolve));
        run = await store.getRun(runId);
      }
      expect(run).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
      expect(run?.attempt).toBeGreaterThanOrEqual(2);
      // Persisted: the active time recorded on the run covers the timeout.
      expect(run?.activeMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
      expect(run?.activeMs).toBeLessThan(TIMEOUT_MS + ATTEMPT_MS);
    } finally {
      await store.close();
    }
  });
});
