import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { createClient } from '../src/client/index.js';
import { MessageTooLargeError } from '../src/core/errors.js';
import type { EventDraft } from '../src/core/events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';
import { REPO_ROOT } from './helpers/cli.js';
import { echoAgent, startTestServer } from './helpers/http-server.js';
import { settle } from './helpers/message-race.js';
import { startServeProcess } from './helpers/serve-process.js';

const MIB = 1024 * 1024;
/** The streamed session's size; CI may lower it (`BATON_TEST_STREAM_MB`) if it ever gets slow. */
const SESSION_MB = Number(process.env.BATON_TEST_STREAM_MB ?? 100);

const dir = mkdtempSync(join(tmpdir(), 'baton-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Appends `count` messages of `bytes` characters each to a session's log, as another process would. */
async function fill(store: Store, sessionId: string, runId: string, count: number, bytes: number) {
  const text = 'x'.repeat(bytes);
  for (let index = 0; index < count; index += 50) {
    const drafts: EventDraft[] = Array.from({ length: Math.min(50, count - index) }, () => ({
      type: 'message.received',
      data: { role: 'user', text },
    }));
    await store.append(sessionId, drafts, { runId });
  }
}

/** Reads an NDJSON stream line by line without keeping the lines; returns what `keep` picks from each. */
async function readLines<T>(response: Response, keep: (line: string) => T): Promise<T[]> {
  const kept: T[] = [];
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') kept.push(keep(line));
  }
  return kept;
}

describe('bounded memory', () => {
  it('refuses a message over the limit with a typed error, and with 413 over HTTP', async () => {
    const store = new SqliteStore(join(dir, 'limit.db'));
    const runtime = createRuntime({ store, agents: [echoAgent], maxMessageBytes: 1000 });
    const big = 'é'.repeat(501); // 1002 bytes in UTF-8
    await expect(runtime.start({ agent: 'echo', message: big })).rejects.toBeInstanceOf(MessageTooLargeError);
    const { continuationToken } = await runtime.start({ agent: 'echo', message: 'hi' });
    await expect(
      runtime.deliver({ continuationToken: continuationToken as string, message: big }),
    ).rejects.toMatchObject({ code: 'message_too_large' });
    await runtime.close();
    await store.close();

    // With the default 1 MiB limit behind a larger body limit.
    const server = await startTestServer({ workers: 0, bodyLimit: 4 * MIB });
    try {
      const response = await fetch(`${server.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'echo', message: 'x'.repeat(MIB + 1) }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: { code: 'message_too_large', message: expect.any(String) },
      });
      expect((await server.runtime.listSessions({})).items).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('disconnects a reader that falls behind with a cursor it resumes from, losing nothing', async () => {
    const server = await startTestServer({ workers: 0, maxStreamLagEvents: 50 });
    try {
      const { sessionId, runId } = await server.client.startSession({ agent: 'echo', message: 'hi' });
      // A reader that reads nothing while 600 events of 50 KB are committed: far more than
      // the socket buffers hold, so the server's queue for it overflows.
      const paused = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = request(`${server.url}/v1/sessions/${sessionId}/stream?follow=1`, resolve);
        req.on('error', reject);
        req.end();
      });
      paused.pause();
      await fill(server.store, sessionId, runId, 600, 50_000);
      await server.runtime.cancel(runId);
      const firstLeg: { type: string; seq?: number; from?: number }[] = [];
      let rest = '';
      paused.setEncoding('utf8');
      paused.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) firstLeg.push(JSON.parse(line) as (typeof firstLeg)[number]);
      });
      paused.resume();
      await new Promise((resolve) => paused.once('end', resolve));
      const last = firstLeg.at(-1);
      expect(last).toMatchObject({ type: 'stream.disconnected', reason: 'lagging' });
      const delivered = firstLeg.flatMap((event) => (event.seq === undefined ? [] : [event.seq]));
      expect(last?.from).toBe((delivered.at(-1) ?? -1) + 1);

      const second = await fetch(`${server.url}/v1/sessions/${sessionId}/stream?from=${last?.from}`);
      const secondLeg = await readLines(second, (line) => (JSON.parse(line) as { seq: number }).seq);
      const head = (await server.store.head(sessionId))?.seq ?? -1;
      expect([...delivered, ...secondLeg]).toEqual(Array.from({ length: head + 1 }, (_, seq) => seq));
    } finally {
      await server.close();
    }
  });

  it('lets the client SDK reconnect past a lagging disconnect on its own, losing and repeating nothing', async () => {
    const server = await startTestServer({ workers: 0, maxStreamLagEvents: 20 });
    try {
      const { sessionId, runId } = await server.client.startSession({ agent: 'echo', message: 'hi' });
      const seqs: number[] = [];
      let filled!: () => void;
      const gate = new Promise<void>((resolve) => {
        filled = resolve;
      });
      const reading = (async () => {
        for await (const event of server.client.stream(sessionId, { maxReconnects: 0 })) {
          if ('seq' in event) seqs.push(event.seq);
          // Reads nothing more until the log has grown far past what the server buffers.
          if (seqs.length === 1) await gate;
        }
      })();
      await sleep(100);
      await fill(server.store, sessionId, runId, 400, 50_000);
      await server.runtime.cancel(runId);
      filled();
      await reading;
      const head = (await server.store.head(sessionId))?.seq ?? -1;
      expect(seqs).toEqual(Array.from({ length: head + 1 }, (_, seq) => seq));
    } finally {
      await server.close();
    }
  });
});

describe('a server with a 200 MB heap', () => {
  let agentsDir: string;
  beforeAll(() => {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    writeFileSync(
      join(agentsDir, 'brief.ts'),
      `import { defineAgent, scriptedModel } from '${join(REPO_ROOT, 'src', 'index.js')}';
export default defineAgent({ name: 'brief', instructions: 'b', model: scriptedModel(() => ({ text: 'noted' })) });\n`,
    );
  });

  const heapLimited = (db: string, workers: number) =>
    startServeProcess(['--port', '0', '--workers', String(workers), '--agents', agentsDir, '--db', db], {
      cwd: dir,
      env: { NODE_OPTIONS: '--max-old-space-size=200' },
    });

  it(`streams a ${SESSION_MB} MB session to the end, page by page`, async () => {
    const db = join(dir, 'big.db');
    const store = new SqliteStore(db);
    const runtime = createRuntime({ store, agents: [echoAgent] });
    const { sessionId, runId } = await runtime.start({ agent: 'echo', message: 'hi' });
    await fill(store, sessionId, runId, SESSION_MB, MIB);
    await runtime.cancel(runId);
    const head = (await store.head(sessionId))?.seq ?? -1;
    await runtime.close();
    await store.close();

    const server = await heapLimited(db, 0);
    try {
      const response = await fetch(`${server.url}/v1/sessions/${sessionId}/stream`);
      let bytes = 0;
      const seqs = await readLines(response, (line) => {
        bytes += line.length;
        return Number(/"seq":(\d+)/.exec(line)?.[1]);
      });
      expect(seqs).toEqual(Array.from({ length: head + 1 }, (_, seq) => seq));
      expect(bytes).toBeGreaterThan(SESSION_MB * MIB);
      expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('answers 31 follow-ups of 900 KB to one session without running out of memory', async () => {
    const server = await heapLimited(join(dir, 'follow-ups.db'), 1);
    try {
      const client = createClient({ baseUrl: server.url });
      const started = await client.startSession({ agent: 'brief', message: 'start' });
      const token = started.continuationToken as string;
      await settle(client, started.sessionId);
      for (let index = 0; index < 31; index += 1) {
        await client.send({ continuationToken: token, message: `${index} ${'y'.repeat(900_000)}` });
        await settle(client, started.sessionId);
      }
      const session = await client.getSession(started.sessionId);
      expect(session.runs.map((run) => run.status)).toEqual(session.runs.map(() => 'succeeded'));
      expect(session.runs).toHaveLength(32);
      expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 240_000); // 32 runs in a process held to 200 MB: a memory test, slow on a loaded machine.
});
