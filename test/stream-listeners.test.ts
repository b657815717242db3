// A reader that goes away must take its subscription with it: with hundreds of followers of a
// session coming and going, one listener left behind per reader is a leak that grows without end
// (and every event would still be encoded and queued for readers that are gone).

import { mkdtempSync, rmSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { startTestServer } from './helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-listeners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real SQLite store that counts the session listeners subscribed to it. */
function countingStore(): { store: SqliteStore; listeners: () => number } {
  const store = new SqliteStore(join(dir, `${Math.random().toString(36).slice(2)}.db`));
  let listeners = 0;
  const subscribe = store.subscribe.bind(store);
  store.subscribe = (sessionId, listener) => {
    listeners += 1;
    const unsubscribe = subscribe(sessionId, listener);
    let subscribed = true;
    return () => {
      if (subscribed) listeners -= 1;
      subscribed = false;
      unsubscribe();
    };
  };
  return { store, listeners: () => listeners };
}

/** Opens a follower and resolves once its first bytes (an event) arrived. */
function follow(url: string, accept: string): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept } }, (res) => {
      res.once('data', () => resolve({ req, res }));
    });
    req.on('error', () => undefined); // Destroyed on purpose below.
    req.once('error', reject);
    req.end();
  });
}

describe('stream readers that leave', () => {
  it('leave no listener behind: attached, paused with a full buffer, or gone before any event', async () => {
    const { store, listeners } = countingStore();
    const server = await startTestServer({ workers: 0, store });
    try {
      const { sessionId, runId } = await server.client.startSession({ agent: 'echo', message: 'hi' });
      const url = `${server.url}/v1/sessions/${sessionId}/stream?follow=1`;
      const readers = await Promise.all([
        ...Array.from({ length: 10 }, () => follow(url, 'application/x-ndjson')),
        ...Array.from({ length: 10 }, () => follow(url, 'text/event-stream')),
      ]);
      expect(listeners()).toBe(20);
      // Half stop reading while more is committed than their sockets hold: the server is left
      // waiting for them to drain when they go.
      for (const { res } of readers.slice(0, 10)) res.pause();
      for (let batch = 0; batch < 10; batch += 1)
        await store.append(
          sessionId,
          Array.from({ length: 10 }, () => ({
            type: 'task.progress' as const,
            data: { iteration: batch, phase: 'x'.repeat(20_000) },
          })),
          { runId },
        );
      for (const { req } of readers) req.destroy();
      await vi.waitFor(() => expect(listeners()).toBe(0), { timeout: 10_000 });

      // One that hangs up while the server is still answering.
      const early = request(url);
      early.on('error', () => undefined); // Destroyed on purpose.
      early.end();
      early.destroy();
      const late = await follow(url, 'application/x-ndjson');
      late.req.destroy();
      await vi.waitFor(() => expect(listeners()).toBe(0), { timeout: 10_000 });
    } finally {
      await server.close();
    }
  });
});
