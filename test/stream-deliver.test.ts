// `StreamOptions.deliver`: a caught-up follower's live events handed over synchronously, as they
// commit, instead of yielded (what the HTTP plane's fan-out rides on). Everything else — the
// replay, a refused event, a gap to fill from the store — still comes through the iterator, and
// the two together are the session's events, each once and in order.

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { StreamEvent } from '../src/core/events.js';
import type { Runtime } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { chatAgent } from './fixtures/runtime-agents.js';
import { startTestServer } from './helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-deliver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opened: { runtime: Runtime; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const { runtime, store } of opened.splice(0)) {
    await runtime.close();
    await store.close();
  }
});

/** A runtime over a real SQLite file; `drop` loses the notification of the events it names. */
function open(drop: (event: StreamEvent) => boolean = () => false): Runtime {
  const store = new SqliteStore(join(dir, `${Math.random().toString(36).slice(2)}.db`));
  const subscribe = store.subscribe.bind(store);
  store.subscribe = (sessionId, listener) =>
    subscribe(sessionId, (event) => {
      if (!drop(event)) listener(event);
    });
  const runtime = createRuntime({ store, agents: [chatAgent()] });
  opened.push({ runtime, store });
  return runtime;
}

function seqOf(event: StreamEvent | undefined): number | undefined {
  return event && 'seq' in event ? event.seq : undefined;
}

/** Commits one progress event to the session's run; its seq. */
async function commit(
  runtime: Runtime,
  sessionId: string,
  runId: string,
  iteration: number,
): Promise<number> {
  const [event] = await runtime.store.append(
    sessionId,
    [{ type: 'task.progress', data: { iteration, phase: 'test' } }],
    { runId },
  );
  return event?.seq as number;
}

/**
 * Takes one live event through the iterator: past it, the stream is caught up, and waits for the
 * next one from inside `iterator.next()` (the replay's last page read is behind it).
 */
async function catchUp(
  runtime: Runtime,
  sessionId: string,
  runId: string,
  iterator: AsyncIterator<StreamEvent>,
): Promise<void> {
  const pulled = iterator.next();
  const seq = await commit(runtime, sessionId, runId, 0);
  expect(seqOf((await pulled).value)).toBe(seq);
}

/**
 * Follows `sessionId` with `deliver` (and `options`), takes the replay through the iterator and
 * catches up: past this, each next live event is offered to `deliver` first.
 */
async function followCaughtUp(
  runtime: Runtime,
  session: { sessionId: string; runId: string },
  deliver: (event: StreamEvent) => boolean,
  options: { children?: boolean } = {},
): Promise<{ iterator: AsyncIterator<StreamEvent>; abort: AbortController }> {
  const { sessionId, runId } = session;
  const replayed = await runtime.store.readEvents(sessionId);
  const abort = new AbortController();
  const iterator = runtime
    .stream(sessionId, { follow: true, signal: abort.signal, deliver, ...options })
    [Symbol.asyncIterator]();
  for (const event of replayed) expect(seqOf((await iterator.next()).value)).toBe(event.seq);
  await catchUp(runtime, sessionId, runId, iterator);
  return { iterator, abort };
}

describe('stream deliver', () => {
  it('takes a caught-up follower’s live events as they commit; the replay and refused events are yielded', async () => {
    const runtime = open();
    const session = await runtime.start({ agent: 'chat', message: 'hi' });
    const { sessionId, runId } = session;
    const delivered: number[] = [];
    let refuse = false;
    const { iterator, abort } = await followCaughtUp(runtime, session, (event) => {
      if (refuse) return false;
      delivered.push(seqOf(event) as number);
      return true;
    });
    expect(delivered).toEqual([]);

    const waiting = iterator.next();
    const first = await commit(runtime, sessionId, runId, 1);
    const second = await commit(runtime, sessionId, runId, 2);
    // Handed over by the commits themselves: nothing was yielded for them.
    expect(delivered).toEqual([first, second]);

    refuse = true;
    const third = await commit(runtime, sessionId, runId, 3);
    expect(seqOf((await waiting).value)).toBe(third);
    refuse = false;
    const resumed = iterator.next();
    const fourth = await commit(runtime, sessionId, runId, 4);
    expect(delivered).toEqual([first, second, fourth]);
    abort.abort();
    expect((await resumed).done).toBe(true);
  });

  it('yields an event whose deliver threw, instead of losing it inside the commit', async () => {
    const runtime = open();
    const session = await runtime.start({ agent: 'chat', message: 'hi' });
    const { sessionId, runId } = session;
    const delivered: number[] = [];
    let throwOnce = false;
    const { iterator, abort } = await followCaughtUp(runtime, session, (event) => {
      if (throwOnce) {
        throwOnce = false;
        throw new Error('a reader bug');
      }
      delivered.push(seqOf(event) as number);
      return true;
    });

    const waiting = iterator.next();
    throwOnce = true;
    const thrown = await commit(runtime, sessionId, runId, 1);
    expect(seqOf((await waiting).value)).toBe(thrown);
    const resumed = iterator.next();
    const after = await commit(runtime, sessionId, runId, 2);
    expect(delivered).toEqual([after]);
    abort.abort();
    expect((await resumed).done).toBe(true);
  });

  it('fills a gap in live events from the store through the iterator, then delivers again', async () => {
    let lost: number | undefined;
    const runtime = open((event) => 'seq' in event && event.seq === lost);
    const session = await runtime.start({ agent: 'chat', message: 'hi' });
    const { sessionId, runId } = session;
    const head = (await runtime.store.readEvents(sessionId)).at(-1)?.seq as number;
    const delivered: number[] = [];
    const { iterator, abort } = await followCaughtUp(runtime, session, (event) => {
      delivered.push(seqOf(event) as number);
      return true;
    });

    const waiting = iterator.next();
    const first = await commit(runtime, sessionId, runId, 1);
    lost = head + 3; // The next commit's notification never arrives.
    await commit(runtime, sessionId, runId, 2);
    const third = await commit(runtime, sessionId, runId, 3);
    expect(seqOf((await waiting).value)).toBe(lost);
    expect(seqOf((await iterator.next()).value)).toBe(third);
    const resumed = iterator.next();
    const fourth = await commit(runtime, sessionId, runId, 4);
    expect(delivered).toEqual([first, fourth]);
    abort.abort();
    expect((await resumed).done).toBe(true);
  });

  it('is not used for a stream with children: every event is yielded', async () => {
    const runtime = open();
    const session = await runtime.start({ agent: 'chat', message: 'hi' });
    const { sessionId, runId } = session;
    const delivered: StreamEvent[] = [];
    const { iterator, abort } = await followCaughtUp(runtime, session, (event) => delivered.push(event) > 0, {
      children: true,
    });
    const waiting = iterator.next();
    const live = await commit(runtime, sessionId, runId, 1);
    expect(seqOf((await waiting).value)).toBe(live);
    expect(delivered).toEqual([]);
    abort.abort();
  });
});

describe('stream deliver over HTTP', () => {
  it('fills a lost notification for a caught-up NDJSON follower: every seq once, in order', async () => {
    let lost: number | undefined;
    const store = new SqliteStore(join(dir, `${Math.random().toString(36).slice(2)}.db`));
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (sessionId, listener) =>
      subscribe(sessionId, (event) => {
        if (event.seq !== lost) listener(event);
      });
    const server = await startTestServer({ workers: 0, store });
    try {
      const { sessionId, runId } = await server.client.startSession({ agent: 'echo', message: 'hi' });
      const seqs: number[] = [];
      let arrived: (() => void) | undefined;
      const until = (seq: number) =>
        new Promise<void>((resolve) => {
          arrived = () => {
            if (seqs.at(-1) !== undefined && (seqs.at(-1) as number) >= seq) resolve();
          };
          arrived();
        });
      const req = request(`${server.url}/v1/sessions/${sessionId}/stream?follow=1`, (res) => {
        res.setEncoding('utf8');
        let rest = '';
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) seqs.push((JSON.parse(line) as { seq: number }).seq);
          arrived?.();
        });
      });
      req.on('error', () => undefined); // Destroyed at the end.
      req.end();
      const head = (await server.store.head(sessionId))?.seq as number;
      await until(head);
      // Caught up: the next events go the synchronous way, until the lost one's successor.
      await until(await commit(server.runtime, sessionId, runId, 1));
      lost = head + 2;
      await commit(server.runtime, sessionId, runId, 2);
      await commit(server.runtime, sessionId, runId, 3);
      const last = await commit(server.runtime, sessionId, runId, 4);
      await until(last);
      req.destroy();
      expect(seqs).toEqual(Array.from({ length: last + 1 }, (_, seq) => seq));
    } finally {
      await server.close();
    }
  });
});
