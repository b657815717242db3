import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonClient } from '../../src/client/index.js';
import { createClient } from '../../src/client/index.js';
import type { BatonEvent } from '../../src/core/events.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { REPO_ROOT, runCli } from './cli.js';
import type { ServeProcess } from './serve-process.js';
import { startServeProcess } from './serve-process.js';

/**
 * An agent that answers every model call with the JSON list of the user messages in its
 * prompt, in prompt order: the last answer of a session is the model's view of it.
 */
export const WITNESS_AGENT = `
import { defineAgent, scriptedModel } from '${join(REPO_ROOT, 'src', 'index.js')}';

export default defineAgent({
  name: 'witness',
  instructions: 'Say what you were told.',
  model: scriptedModel(async (request) => {
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.WITNESS_DELAY_MS ?? 15)));
    const told = request.prompt.flatMap((message) =>
      message.role === 'user' ? message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])) : [],
    );
    return { text: JSON.stringify(told) };
  }),
});
`;

/** A temporary directory holding `agents/witness.ts`, with the repository's node_modules linked in. */
export function witnessAgentsDir(): { dir: string; agentsDir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-race-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const agentsDir = join(dir, 'agents');
  mkdirSync(agentsDir);
  writeFileSync(join(agentsDir, 'witness.ts'), WITNESS_AGENT);
  return { dir, agentsDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Counts of one scenario: messages the API accepted that the log or the model's transcript lost or doubled. */
export interface RaceCounts {
  rounds: number;
  messages: number;
  lost: number;
  duplicated: number;
}

/** The session's persisted events, read through the (non-following) stream until the session settles. */
export async function sessionLog(client: BatonClient, sessionId: string): Promise<BatonEvent[]> {
  const log: BatonEvent[] = [];
  for await (const event of client.stream(sessionId)) if (event.type !== 'model.delta') log.push(event);
  return log;
}

/** Waits until the session has no queued or running run. */
export async function settle(client: BatonClient, sessionId: string, timeoutMs = 60_000): Promise<void> {
  let status = '';
  await waitFor(
    async () => {
      const session = await client.getSession(sessionId);
      status = session.status;
      const active = session.runs.some((run) => ['queued', 'running', 'waiting'].includes(run.status));
      return !active && session.status !== 'running';
    },
    { timeoutMs, intervalMs: 25, message: () => `session ${sessionId} to settle (still ${status})` },
  );
}

/**
 * Checks that every accepted text is in the log exactly once and in the model's last view
 * exactly once, in commit order; returns how many were lost and how many doubled.
 */
export function countLosses(
  log: readonly BatonEvent[],
  accepted: readonly string[],
): { lost: number; duplicated: number } {
  const committed = log.flatMap((event) => (event.type === 'message.received' ? [event.data.text] : []));
  const answers = log.flatMap((event) => (event.type === 'message.completed' ? [event.data.text] : []));
  const lastView = JSON.parse(answers.at(-1) ?? '[]') as string[];
  let lost = 0;
  let duplicated = 0;
  for (const text of accepted) {
    const inLog = committed.filter((candidate) => candidate === text).length;
    const inView = lastView.filter((candidate) => candidate === text).length;
    if (inLog === 0 || inView === 0) lost += 1;
    if (inLog > 1 || inView > 1) duplicated += 1;
  }
  // The model sees the messages in the order they were committed.
  expect(lastView).toEqual(committed);
  return { lost, duplicated };
}

/** Options of {@link messageRaceSuite}. */
export interface MessageRaceOptions {
  /** Store spec for `--db`, created fresh per suite. */
  db: () => Promise<{ spec: string; cleanup(): Promise<void> }>;
  rounds?: number;
  messages?: number;
}

/**
 * The message-delivery race suite against `baton serve` child processes on one store: the
 * deterministic repro of a follow-up to a queued first run, then concurrent follow-ups to an
 * idle session, to an active run, and right after a start.
 */
export function messageRaceSuite(name: string, options: MessageRaceOptions): void {
  const rounds = options.rounds ?? 10;
  const messages = options.messages ?? 20;

  describe(`accepted messages on ${name}`, () => {
    let agents: ReturnType<typeof witnessAgentsDir>;
    let db: { spec: string; cleanup(): Promise<void> };
    const servers: ServeProcess[] = [];
    const counts: Record<string, RaceCounts> = {};

    beforeAll(async () => {
      agents = witnessAgentsDir();
      db = await options.db();
    });

    afterAll(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((server) => server.exited));
      await db.cleanup();
      agents.cleanup();
      process.stderr.write(`message race on ${name}: ${JSON.stringify(counts)}\n`);
    });

    async function serve(args: string[]): Promise<BatonClient> {
      const server = await startServeProcess(
        ['--port', '0', '--agents', agents.agentsDir, '--db', db.spec, '--lease-ttl', '2000', ...args],
        { cwd: agents.dir },
      );
      servers.push(server);
      return createClient({ baseUrl: server.url });
    }

    it('commits the opening message and a follow-up sent before any worker ran, in order', async () => {
      const client = await serve(['--workers', '0']);
      const { sessionId, continuationToken } = await client.startSession({
        agent: 'witness',
        message: 'FIRST',
      });
      if (continuationToken === undefined) throw new Error('a first start returns its token');
      await client.send({ continuationToken, message: 'SECOND' });
      const worker = await runCli(
        ['worker', '--until-idle', '--agents', agents.agentsDir, '--db', db.spec, '--poll-interval', '20'],
        { cwd: agents.dir },
      );
      expect(worker.code, worker.stderr).toBe(0);
      const log = await sessionLog(client, sessionId);
      expect(log.filter((event) => event.type === 'message.received').map((event) => event.data)).toEqual([
        { role: 'user', text: 'FIRST' },
        { role: 'user', text: 'SECOND' },
      ]);
      expect(countLosses(log, ['FIRST', 'SECOND'])).toEqual({ lost: 0, duplicated: 0 });
    });

    describe('with workers racing the deliveries', () => {
      let client: BatonClient;
      beforeAll(async () => {
        client = await serve(['--workers', '3']);
      });

      /** Runs `rounds` rounds of `messages` concurrent follow-ups; `prepare` sets the session up. */
      async function race(
        scenario: string,
        prepare: (sessionId: string, events: AsyncIterator<unknown>) => Promise<void>,
      ): Promise<void> {
        const total: RaceCounts = { rounds, messages, lost: 0, duplicated: 0 };
        for (let round = 0; round < rounds; round += 1) {
          const opening = `${scenario} ${round} opening`;
          const started = await client.startSession({ agent: 'witness', message: opening });
          const token = started.continuationToken;
          if (token === undefined) throw new Error('a first start returns its token');
          const events = client.stream(started.sessionId, { follow: true })[Symbol.asyncIterator]();
          await prepare(started.sessionId, events);
          const texts = Array.from(
            { length: messages },
            (_, index) => `${scenario} ${round} message ${index}`,
          );
          const sent = await Promise.allSettled(
            texts.map((message) => client.send({ continuationToken: token, message })),
          );
          await events.return?.();
          const accepted = [opening, ...texts.filter((_, index) => sent[index]?.status === 'fulfilled')];
          // Every follow-up is accepted: the API never refuses a message to a live session.
          expect(sent.filter((result) => result.status === 'rejected')).toEqual([]);
          await settle(client, started.sessionId);
          const { lost, duplicated } = countLosses(await sessionLog(client, started.sessionId), accepted);
          total.lost += lost;
          total.duplicated += duplicated;
        }
        counts[scenario] = total;
        expect(total).toEqual({ rounds, messages, lost: 0, duplicated: 0 });
      }

      it(`loses and doubles none of ${messages} concurrent follow-ups to an idle session (${rounds} rounds)`, async () => {
        await race('idle', async (sessionId) => settle(client, sessionId));
      });

      it(`loses and doubles none of ${messages} concurrent follow-ups to an active run (${rounds} rounds)`, async () => {
        await race('active', async (_sessionId, events) => {
          for (;;) {
            const next = await events.next();
            if (next.done) throw new Error('the stream ended before the run started');
            if ((next.value as { type?: string }).type === 'run.started') return;
          }
        });
      });

      it(`loses and doubles none of ${messages} concurrent follow-ups sent right after a start (${rounds} rounds)`, async () => {
        await race('after-start', async () => undefined);
      });
    });
  });
}
