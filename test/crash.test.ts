import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { EffectLine } from './fixtures/effects.js';
import { exited, readEffects, spawnCli, waitForEffect } from './fixtures/effects.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
const db = join(dir, 'baton.db');
const effects = join(dir, 'effects.log');
// Tools take a second so that the kill lands inside the tool even when a loaded machine delays
// the test's poll of the side-effect file by a few hundred ms.
const env = { BATON_TEST_EFFECTS: effects, BATON_TEST_MODEL_MS: '300', BATON_TEST_TOOL_MS: '1000' };
const AGENT = join('test', 'fixtures', 'agents', 'side-effects.ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Where each `baton run` is killed: the first side-effect line of its own that matches. */
const KILL_POINTS: Record<string, (line: EffectLine) => boolean> = {
  'during-a-model-call': (line) => line.kind === 'model-start' && line.fields[1] === '1',
  'during-a-non-idempotent-tool': (line) => line.kind === 'tool-start' && line.fields[2] === 'charge',
  'during-an-idempotent-tool': (line) => line.kind === 'tool-start' && line.fields[2] === 'fetch',
  'between-steps': (line) => line.kind === 'tool-end' && line.fields[1] === 'call_1_0',
};

describe('crash safety', () => {
  it('finishes every run killed with SIGKILL mid-run, without repeating committed work', async () => {
    const killed = await Promise.all(
      Object.entries(KILL_POINTS).map(async ([tag, point]) => {
        const child = spawnCli(['run', AGENT, tag, '--json', '--db', db], env);
        await waitForEffect(effects, child.pid as number, point, child);
        child.kill('SIGKILL');
        await exited(child);
        return { tag, pid: child.pid as number };
      }),
    );
    const worker = await runCli(
      ['worker', '--until-idle', '--lease-ttl', '500', '--concurrency', '4', '--db', db],
      {
        env,
      },
    );
    expect(worker.code, worker.stderr).toBe(0);
    const store = new SqliteStore(db);
    try {
      const lines = readEffects(effects);
      const killedPids = new Set(killed.map((entry) => entry.pid));
      for (const { tag } of killed) {
        const sessionId = await sessionOf(store, tag);
        const events = await store.readEvents(sessionId);
        checkCrashInvariants(tag, events, lines, killedPids);
      }
      const nonIdempotentSession = await sessionOf(store, 'during-a-non-idempotent-tool');
      const nonIdempotent = await store.readEvents(nonIdempotentSession);
      expect(nonIdempotent).toContainEqual(
        expect.objectContaining({
          type: 'tool.result',
          data: expect.objectContaining({ error: expect.objectContaining({ code: 'interrupted' }) }),
        }),
      );
      const idempotentSession = await sessionOf(store, 'during-an-idempotent-tool');
      const rerun = lines.filter(
        (line) =>
          line.kind === 'tool-start' && line.fields[0] === idempotentSession && line.fields[2] === 'fetch',
      );
      expect(new Set(rerun.map((line) => line.pid)).size, 'the interrupted idempotent tool ran again').toBe(
        2,
      );
      // The crash scenario through the CLI: killed during a non-idempotent tool, resumed by
      // the worker, the run reads succeeded on its second attempt and both logs verify.
      const [verifiedIdempotent, verified, shown] = await Promise.all([
        runCli(['verify-log', idempotentSession, '--db', db]),
        runCli(['verify-log', nonIdempotentSession, '--db', db]),
        runCli(['runs', 'show', nonIdempotent[1]?.runId ?? '', '--json', '--db', db]),
      ]);
      expect(verifiedIdempotent.code, verifiedIdempotent.stdout).toBe(0);
      expect(verified.code, verified.stdout).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'succeeded', attempt: 2 });
    } finally {
      await store.close();
    }
  });
});

describe.runIf(process.env.BATON_TORTURE === '1')('crash safety under torture', () => {
  it('finishes a run whose workers are killed again and again at random moments', async () => {
    const tag = 'torture';
    const start = await runCli(['run', AGENT, tag, '--detach', '--db', db], { env });
    expect(start.code).toBe(0);
    const pids = new Set<number>();
    for (let round = 0; round < 12; round += 1) {
      const child = spawnCli(['worker', '--lease-ttl', '500', '--db', db], env);
      pids.add(child.pid as number);
      await new Promise((resolve) => setTimeout(resolve, 1500 + Math.random() * 1500));
      child.kill('SIGKILL');
      await exited(child);
    }
    const worker = await runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db], { env });
    expect(worker.code, worker.stderr).toBe(0);
    const store = new SqliteStore(db);
    try {
      const events = await store.readEvents(await sessionOf(store, tag));
      expect(verifyChain(events).ok).toBe(true);
      expect(events.at(-1)?.type).toBe('run.completed');
      const sessionId = events[0]?.sessionId;
      const charges = readEffects(effects).filter(
        (line) => line.kind === 'tool-start' && line.fields[0] === sessionId && line.fields[2] === 'charge',
      );
      expect(new Set(charges.map((line) => line.fields[1])).size).toBe(charges.length);
    } finally {
      await store.close();
    }
  });
});

/** The session whose first message is `tag`. */
async function sessionOf(store: SqliteStore, tag: string): Promise<string> {
  for (const session of (await store.listSessions({ limit: 100 })).items) {
    const [message] = await store.readEvents(session.id, { types: ['message.received'], limit: 1 });
    if (message?.type === 'message.received' && message.data.text === tag) return session.id;
  }
  throw new Error(`no session for ${tag}`);
}

function checkCrashInvariants(
  tag: string,
  events: BatonEvent[],
  lines: EffectLine[],
  killedPids: Set<number>,
): void {
  const verdict = verifyChain(events);
  expect(verdict.ok, `${tag}: chain`).toBe(true);
  expect(events.at(-1)?.type, `${tag}: ends succeeded`).toBe('run.completed');
  const starts = events.filter((event): event is BatonEvent<'run.started'> => event.type === 'run.started');
  expect(starts.length, `${tag}: resumed once`).toBe(2);
  // Steps committed by the killed process: their model calls must never be made again.
  const resumedAt = starts[1]?.seq ?? 0;
  const committedSteps = events.filter(
    (event) => event.type === 'message.completed' && event.seq < resumedAt,
  ).length;
  const modelStarts = lines.filter((line) => line.kind === 'model-start' && line.fields[0] === tag);
  for (let step = 0; step < committedSteps; step += 1) {
    const repeats = modelStarts.filter(
      (line) => line.fields[1] === String(step) && !killedPids.has(line.pid),
    );
    expect(repeats, `${tag}: committed step ${step} asked the model again`).toEqual([]);
  }
  const sessionId = events[0]?.sessionId;
  const toolStarts = lines.filter((line) => line.kind === 'tool-start' && line.fields[0] === sessionId);
  const results = events.filter((event): event is BatonEvent<'tool.result'> => event.type === 'tool.result');
  for (const result of results) {
    const executions = toolStarts.filter((line) => line.fields[1] === result.data.toolCallId);
    if (result.data.name === 'charge') {
      expect(
        executions.length,
        `${tag}: charge ${result.data.toolCallId} ran more than once`,
      ).toBeLessThanOrEqual(1);
    } else {
      const ends = lines.filter(
        (line) => line.kind === 'tool-end' && line.fields[1] === result.data.toolCallId,
      );
      expect(result.data.ok, `${tag}: fetch ${result.data.toolCallId} completed`).toBe(true);
      expect(ends.filter((line) => line.fields[0] === sessionId).length).toBeGreaterThanOrEqual(1);
    }
  }
  expect(new Set(results.map((result) => result.data.toolCallId)).size, `${tag}: one result per call`).toBe(
    results.length,
  );
}
