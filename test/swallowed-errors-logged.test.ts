import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { tool } from '../src/core/tool.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

// Errors Baton rides out (a store that failed a moment, a collector that refused spans) are
// not errors anyone sees in a run's log: each is told to the one logger, once, with the ids of
// the work it happened in.

const dir = mkdtempSync(join(tmpdir(), 'baton-swallowed-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown> & { msg: string };

function capturingLogger() {
  const lines: Line[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Line) });
  return { logger, lines, named: (msg: string) => lines.filter((line) => line.msg === msg) };
}

/** `store` with `method` failing on its first call, as a database that blinked would. */
function failingOnce(store: Store, method: 'claimRun' | 'renewLease'): { store: Store; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // The store's methods use private fields: they must run on the store itself.
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== method) return bound;
      return (...args: unknown[]) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error(`${method}: connection reset`)) : bound(...args);
      };
    },
  });
  return { store: proxy, calls: () => calls };
}

const quick = defineAgent({
  name: 'quick',
  instructions: 'Answer.',
  model: scriptedModel([{ text: 'done' }]),
});

describe('errors Baton rides out', () => {
  it('logs a failed look for work once, naming the worker, and goes on', async () => {
    const { logger, named } = capturingLogger();
    const { store, calls } = failingOnce(await openStore(join(dir, 'claim.db')), 'claimRun');
    const runtime = createRuntime({ store, agents: [quick], logger });
    try {
      const { runId } = await runtime.start({ agent: 'quick', message: 'hi' });
      const worker = runtime.startWorker({ untilIdle: true, pollIntervalMs: 10 });
      await worker.done;
      expect((await runtime.getRun(runId)).status).toBe('succeeded');
      expect(calls()).toBeGreaterThan(1);
      const lines = named('store unavailable, retrying');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'warn',
        workerId: worker.owner,
        error: { message: 'claimRun: connection reset' },
      });
    } finally {
      await runtime.close();
      await store.close();
    }
  });

  it('logs a failed lease renewal once, naming the run and the worker, and keeps the run', async () => {
    const { logger, named } = capturingLogger();
    const { store, calls } = failingOnce(await openStore(join(dir, 'renew.db')), 'renewLease');
    // The tool holds the step until the lease has been renewed after the failed renewal.
    const hold = tool({
      name: 'hold',
      description: 'Waits for two lease renewals',
      inputSchema: z.object({}),
      execute: async () => {
        await waitFor(() => calls() >= 2, { message: 'a second renewal', timeoutMs: 30_000 });
        return 'held';
      },
    });
    const holder = defineAgent({
      name: 'holder',
      instructions: 'Hold.',
      tools: [hold],
      model: scriptedModel([{ toolCalls: [{ name: 'hold', input: {} }] }, { text: 'released' }]),
    });
    const runtime = createRuntime({ store, agents: [holder], logger, leaseTtlMs: 3_000 });
    try {
      const { runId, sessionId } = await runtime.start({ agent: 'holder', message: 'hold' });
      const worker = runtime.startWorker({ untilIdle: true, pollIntervalMs: 10 });
      await worker.done;
      expect((await runtime.getRun(runId)).status).toBe('succeeded');
      const lines = named('lease renewal failed');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'warn',
        runId,
        sessionId,
        workerId: worker.owner,
        error: { message: 'renewLease: connection reset' },
      });
    } finally {
      await runtime.close();
      await store.close();
    }
  });

  it('logs each batch of spans the collector refused once (baton run with OTEL_EXPORTER_OTLP_ENDPOINT)', async () => {
    let exports = 0;
    const collector: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        exports += 1;
        response.writeHead(400, { 'content-type': 'text/plain' }).end('no spans today');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const result = await runCli(
        [
          'run',
          join(REPO_ROOT, 'test', 'fixtures', 'agents', 'three-lookups.ts'),
          'go',
          '--db',
          join(dir, 'otlp.db'),
          '--log-format',
          'json',
        ],
        { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } },
      );
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Line);
      const refused = lines.filter((line) => line.msg === 'could not export spans');
      expect(exports).toBeGreaterThan(0);
      expect(refused).toHaveLength(exports);
      expect(refused[0]).toMatchObject({ level: 'warn', endpoint: `http://127.0.0.1:${port}` });
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  }, 90_000);
});
