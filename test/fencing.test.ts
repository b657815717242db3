import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { exited, readEffects, spawnCli, waitForEffect } from './fixtures/effects.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-fencing-'));
const db = join(dir, 'baton.db');
const effects = join(dir, 'effects.log');
const env = { BATON_TEST_EFFECTS: effects, BATON_TEST_MODEL_MS: '20', BATON_TEST_TOOL_MS: '1500' };
const TTL = '500';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fencing', () => {
  it('never lets a worker whose lease lapsed commit after another worker took the run over', async () => {
    const start = await runCli(
      ['run', 'test/fixtures/agents/side-effects.ts', 'fence', '--detach', '--db', db],
      { env },
    );
    expect(start.code).toBe(0);
    const { sessionId, runId } = JSON.parse(start.stdout) as { sessionId: string; runId: string };
    // The stale worker takes its TTL from BATON_LEASE_TTL_MS: with the 30 s default its lease
    // would outlive the freeze and the takeover below would find nothing runnable in time.
    const stale = spawnCli(['worker', '--until-idle', '--db', db], { ...env, BATON_LEASE_TTL_MS: TTL });
    const stalePid = stale.pid as number;
    try {
      await waitForEffect(
        effects,
        stalePid,
        (line) => line.kind === 'tool-start' && line.fields[2] === 'charge',
        stale,
      );
      const observer = new SqliteStore(db);
      const held = await observer.getRun(runId);
      await observer.close();
      expect((held?.lease?.expiresAt ?? 0) - Date.now()).toBeLessThanOrEqual(Number(TTL));
      // Frozen mid-tool past its TTL: its lease expires while it still believes it holds the run.
      stale.kill('SIGSTOP');
      await sleep(Number(TTL) * 3);
      const takeover = await runCli(['worker', '--until-idle', '--lease-ttl', TTL, '--db', db], { env });
      expect(takeover.code, takeover.stderr).toBe(0);
    } finally {
      stale.kill('SIGCONT');
    }
    expect(await exited(stale)).toBe(0);
    expect(stale.output()).toContain('lease_lost');

    const store = new SqliteStore(db);
    const events = await store.readEvents(sessionId);
    const run = await store.getRun(runId);
    await store.close();
    expect(run?.status).toBe('succeeded');
    expect(verifyChain(events).ok).toBe(true);
    const starts = events.filter((event): event is BatonEvent<'run.started'> => event.type === 'run.started');
    expect(starts).toHaveLength(2);
    expect(starts[0]?.data.worker).toMatch(new RegExp(`/${stalePid}$`));
    expect(starts[1]?.data.worker).not.toMatch(new RegExp(`/${stalePid}$`));
    // The stale worker's tool finished after the takeover, but its result was fenced out.
    const results = events.filter(
      (event): event is BatonEvent<'tool.result'> => event.type === 'tool.result',
    );
    expect(
      results.filter((result) => (result.data.output as { pid?: number } | null)?.pid === stalePid),
    ).toEqual([]);
    expect(results[0]?.data.error?.code).toBe('interrupted');
    // Every side effect belongs to exactly one worker.
    const owners = new Map<string, Set<number>>();
    for (const line of readEffects(effects).filter((entry) => entry.kind.startsWith('tool-'))) {
      const key = line.fields[1] as string;
      owners.set(key, (owners.get(key) ?? new Set()).add(line.pid));
    }
    for (const [toolCallId, pids] of owners) expect(pids.size, toolCallId).toBe(1);
  });
});
