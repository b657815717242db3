import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { parseHeader } from './request-input.js';
import type { ServerEnv } from './server-env.js';

/** How long an answer stays replayable: a runner's retries of one call come within seconds. */
const REPLAY_TTL_MS = 120_000;
/** Answers kept at most; past it the oldest go first (a retry of those is then executed again). */
const REPLAY_ENTRIES = 1_000;

const idempotencyKeySchema = z.string().min(1).max(256);

interface Answer {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

/**
 * Answers a repeated write (the same `Idempotency-Key` on the same method, path and lease) with
 * the answer its first attempt got, waiting for it while that attempt still runs. A runner
 * repeats a call when the connection broke before the answer came back (a keep-alive socket the
 * plane closed as the request went out, a reset mid-answer): without this, a repeated append
 * whose first attempt committed would record its events twice. The window is in memory: a
 * plane that restarts between the attempts executes the repeat, as it would any new request.
 */
export function replayRepeatedWrites(): MiddlewareHandler<ServerEnv> {
  const answers = new Map<string, { at: number; answer: Promise<Answer> }>();
  return async function replayRepeatedWrite(c, next) {
    const header = c.req.header('idempotency-key');
    if (header === undefined || c.req.method === 'GET') return next();
    const idempotencyKey = parseHeader('idempotency-key', header, idempotencyKeySchema);
    const key = [c.req.method, c.req.path, c.req.header('baton-lease') ?? '', idempotencyKey].join('\n');
    // A first attempt that threw past the error handler has no answer (its error went to its
    // own caller): the repeat then executes.
    const earlier = answers.get(key)?.answer.catch(() => undefined);
    if (earlier !== undefined) {
      const answer = await earlier;
      if (answer === undefined) return next();
      c.res = new Response(answer.body, { status: answer.status, headers: answer.headers });
      return;
    }
    forgetExpired(answers, Date.now());
    const answer = (async () => {
      await next();
      return recorded(c.res);
    })();
    answers.set(key, { at: Date.now(), answer });
    await answer.catch((error: unknown) => {
      answers.delete(key);
      throw error;
    });
  };
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

function forgetExpired(answers: Map<string, { at: number }>, now: number): void {
  // Insertion order is age order: the expired ones, and those past the cap, are at the front.
  for (const [key, { at }] of answers) {
    if (now - at < REPLAY_TTL_MS && answers.size < REPLAY_ENTRIES) break;
    answers.delete(key);
  }
}
