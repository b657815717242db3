import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createRuntime } from '../../src/baton-runtime.js';
import type { BatonClient } from '../../src/client/index.js';
import { createClient } from '../../src/client/index.js';
import type { Agent } from '../../src/core/agent.js';
import { defineAgent } from '../../src/core/agent.js';
import { tool } from '../../src/core/tool.js';
import { scriptedModel } from '../../src/model/scripted-model.js';
import type { Runtime, Worker } from '../../src/runtime/types.js';
import type { AppOptions } from '../../src/server/app.js';
import { createApp } from '../../src/server/app.js';
import type { RunningServer } from '../../src/server/serve.js';
import { serve } from '../../src/server/serve.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';

/** Answers every message with `echo: <message>`; follow-ups work indefinitely. */
export const echoAgent: Agent = defineAgent({
  name: 'echo',
  description: 'Repeats what it is told',
  instructions: 'Repeat the user.',
  model: scriptedModel((request) => ({ text: `echo: ${request.lastUserText ?? ''}` })),
});

const whoami = tool({
  name: 'whoami',
  description: 'Who started this session and who is talking now',
  inputSchema: z.object({}),
  execute: (_input, context) => context.auth ?? {},
});

/** Calls `whoami` once per message, then answers with what it returned. */
export const whoamiAgent: Agent = defineAgent({
  name: 'whoami',
  instructions: 'Say who is calling.',
  model: scriptedModel((request) =>
    request.lastRole === 'tool' ? { text: 'done' } : { toolCalls: [{ name: 'whoami', input: {} }] },
  ),
  tools: [whoami],
});

const tick = tool({
  name: 'tick',
  description: 'Counts',
  inputSchema: z.object({ n: z.number() }),
  execute: async ({ n }) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { n };
  },
  idempotent: true,
});

/** Calls `tick` `steps` times (one step each, a few ms apart), then answers: a long event log. */
export function tickerAgent(steps: number, stepDelayMs = 10): Agent {
  return defineAgent({
    name: 'ticker',
    instructions: 'Count.',
    model: scriptedModel(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
      const ticksThisMessage = request.prompt.filter((message) => message.role === 'tool').length;
      return request.step % (steps + 1) === steps
        ? { text: `counted to ${steps}` }
        : { text: `tick ${ticksThisMessage}`, toolCalls: [{ name: 'tick', input: { n: ticksThisMessage } }] };
    }),
    tools: [tick],
  });
}

/** A real server over a real SQLite file (or the store it was given), with in-process workers. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly client: BatonClient;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * Starts a test server on a free port of `host` (default 127.0.0.1) over a SQLite file in a temp
 * dir, or over `store` when given (closed with the server); `close` stops everything and removes
 * the temp dir.
 */
export async function startTestServer(
  options: { agents?: Agent[]; workers?: number; token?: string; store?: Store } & Omit<
    AppOptions,
    'runtime'
  > = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-http-'));
  const store = options.store ?? new SqliteStore(join(dir, 'baton.db'));
  const runtime = createRuntime({ store, agents: options.agents ?? [echoAgent, whoamiAgent] });
  const host = options.host ?? '127.0.0.1';
  const app = createApp({ ...options, host, runtime });
  let server: RunningServer;
  try {
    server = await serve({ app, port: 0, host });
  } catch (error) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const workers: Worker[] = [];
  if ((options.workers ?? 1) > 0)
    workers.push(runtime.startWorker({ concurrency: options.workers ?? 1, pollIntervalMs: 10 }));
  return {
    url: server.url,
    port: server.port,
    runtime,
    store,
    dir,
    client: createClient({
      baseUrl: server.url,
      ...(options.token !== undefined && { token: options.token }),
    }),
    async close() {
      await server.close({ graceMs: 100 });
      await Promise.all(workers.map((worker) => worker.stop()));
      await runtime.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads an NDJSON response body to its end. */
export async function readNdjson(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
