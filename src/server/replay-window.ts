import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { isUnavailableStatus } from '../core/connection-failure.js';
import { RequestAbortedError } from './http-errors.js';
import { parseHeader } from './request-input.js';
import type { ServerEnv } from './server-env.js';

/**
 * How long an answer stays replayable after it was recorded. A runner repeats a call only
 * within a minute of its first attempt (see `PlaneStore`), so any repeat finds it.
 */
const REPLAY_TTL_MS = 5 * 60_000;
/** Answers kept per pool at most; past it the oldest recorded ones go first. */
const REPLAY_ENTRIES = 1_000;
/** Bytes of answers kept per pool at most (a claim answer holds the run's input). */
const REPLAY_BYTES = 32 * 1024 * 1024;

const idempotencyKeySchema = z.string().min(1).max(256);
/** A lease header longer than any lease token is not keyed on: the route refuses it anyway. */
const MAX_LEASE_LENGTH = 256;

interface Answer {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

/** One attempt's entry: its answer once recorded (undefined when it recorded none). */
interface Entry {
  at: number;
  bytes: number;
  settled: boolean;
  answer: Promise<Answer | undefined>;
}

/**
 * Answers a repeated write (the same `Idempotency-Key` on the same method, path and lease) with
 * the answer its first attempt got, waiting for it while that attempt still runs. A runner
 * repeats a call when the connection broke before the answer came back (a keep-alive socket the
 * plane closed as the request went out, a reset mid-answer): without this, a repeated append
 * whose first attempt committed would record its events twice. Mounted only on the routes
 * whose repeat would take effect twice (claim, append, complete, release); the others are
 * idempotent as they are, and the secrets route's answer must not be kept.
 *
 * The window is this process's memory, per pool: a plane restarted between two attempts, or
 * another plane process behind a load balancer, executes the repeat as a new request. An
 * attempt cut off before its request was read (`request_aborted`), or answered "unavailable"
 * (502–504), records nothing, so its repeat executes.
 */
export function replayRepeatedWrites(): MiddlewareHandler<ServerEnv> {
  const windows = new Map<string, ReplayWindow>();
  return async function replayRepeatedWrite(c, next) {
    const header = c.req.header('idempotency-key');
    const lease = c.req.header('baton-lease') ?? '';
    if (header === undefined || lease.length > MAX_LEASE_LENGTH) return next();
    const idempotencyKey = parseHeader('idempotency-key', header, idempotencyKeySchema);
    const pool = c.req.param('pool') ?? '';
    const window = windows.get(pool) ?? new ReplayWindow();
    windows.set(pool, window);
    const key = [c.req.method, c.req.path, lease, idempotencyKey].join('\n');
    for (let earlier = window.get(key); earlier !== undefined; earlier = window.get(key)) {
      const answer = await earlier.answer;
      if (answer !== undefined) {
        c.res = new Response(answer.body, { status: answer.status, headers: answer.headers });
        return;
      }
      // That attempt recorded nothing (it was cut off, or threw): look again, since another
      // repeat may have taken over meanwhile; else this one executes.
    }
    let settle: (answer: Answer | undefined) => void = () => undefined;
    const entry: Entry = {
      at: performance.now(),
      bytes: 0,
      settled: false,
      answer: new Promise((resolve) => {
        settle = resolve;
      }),
    };
    window.add(key, entry);
    let answer: Answer | undefined;
    try {
      await next();
      if (!(c.error instanceof RequestAbortedError) && !isUnavailableStatus(c.res.status))
        answer = await recorded(c.res);
    } finally {
      window.settle(key, entry, answer);
      settle(answer);
    }
  };
}

/** One pool's recorded answers, oldest first. */
class ReplayWindow {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  get(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.settled && performance.now() - entry.at >= REPLAY_TTL_MS) {
      this.#remove(key, entry);
      return undefined;
    }
    return entry;
  }

  add(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
  }

  /**
   * Records an attempt's answer (kept from now on), or forgets an attempt that has none. The
   * entry is still the key's: one in flight is never expired nor evicted, and no other is added
   * for its key meanwhile (a repeat waits on it).
   */
  settle(key: string, entry: Entry, answer: Answer | undefined): void {
    this.#entries.delete(key);
    if (answer === undefined) return;
    entry.settled = true;
    entry.at = performance.now();
    entry.bytes = answer.body?.byteLength ?? 0;
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    this.#evict();
  }

  #evict(): void {
    const now = performance.now();
    // Insertion order is recording order for settled entries; one still in flight is never
    // dropped, or its repeat would execute beside it.
    for (const [key, entry] of this.#entries) {
      const over = this.#entries.size > REPLAY_ENTRIES || this.#bytes > REPLAY_BYTES;
      if (!over && now - entry.at < REPLAY_TTL_MS) break;
      if (entry.settled) this.#remove(key, entry);
    }
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

async function recorded(response: Response): Promise<Answer> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return {
    status: response.status,
    headers,
    body: response.body === null ? null : await response.clone().arrayBuffer(),
  };
}
