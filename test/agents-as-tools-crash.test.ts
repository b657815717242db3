import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent, Store } from '../src/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { exited, readEffects, spawnCli, waitForEffect } from './fixtures/effects.js';
import { checkLog } from './fixtures/runtime-agents.js';
import { runCli } from './helpers/cli.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-children-crash-'));
const schema = uniqueSchema('children_crash');
const AGENT = join('test', 'fixtures', 'agents', 'coordinator-specialists.ts');
const DATABASES: Record<string, { db: string; open: () => Promise<Store> }> = {
  sqlite: { db: join(dir, 'baton.db'), open: async () => new SqliteStore(join(dir, 'baton.db')) },
  postgres: { db: schemaUrl(schema), open: () => openPostgresStore(schemaUrl(schema), { poolSize: 2 }) },
};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

describe.each(Object.keys(DATABASES))('agents as tools across a crash (%s)', (name) => {
  const { db, open } = DATABASES[name] as (typeof DATABASES)[string];
  const effects = join(dir, `effects-${name}.log`);
  const env = { BATON_TEST_EFFECTS: effects, BATON_TEST_TOOL_MS: '800' };

  it('resumes after the worker is killed while a child runs: no child starts twice, each tool runs once', async () => {
    const run = spawnCli(['run', AGENT, 'help me', '--json', '--db', db], env);
    await waitForEffect(effects, run.pid as number, (line) => line.kind === 'tool-start', run, 60_000);
    run.kill('SIGKILL');
    await exited(run);
    const worker = await runCli(
      ['worker', '--until-idle', '--lease-ttl', '500', '--concurrency', '4', '--db', db],
      { env },
    );
    expect(worker.code, worker.stderr).toBe(0);
    const store = await open();
    try {
      const [root] = (await store.listSessions({ limit: 10 })).items.filter(
        (session) => session.parentSessionId === null,
      );
      const events = await store.readEvents(root?.id ?? '');
      checkLog(events);
      const started = events.filter((event) => event.type === 'subagent.started');
      expect(started.map((event) => event.data.agent).sort()).toEqual(['billing', 'legal', 'tech']);
      expect(events.filter((event) => event.type === 'subagent.completed')).toHaveLength(3);
      const sessions = (await store.listSessions({ limit: 10 })).items;
      expect(sessions.filter((session) => session.parentSessionId === root?.id)).toHaveLength(3);
      // A non-idempotent tool never runs twice: the one killed mid-call is `interrupted` on resume.
      const starts = readEffects(effects).filter((line) => line.kind === 'tool-start');
      for (const agent of ['billing', 'legal', 'tech'])
        expect(starts.filter((line) => line.fields[2] === agent).length).toBeLessThanOrEqual(1);
      const completed = events.filter(
        (event): event is BatonEvent<'run.completed'> => event.type === 'run.completed',
      );
      expect(completed).toHaveLength(1);
      for (const agent of ['billing', 'legal', 'tech']) expect(completed[0]?.data.text).toContain(agent);
    } finally {
      await store.close();
    }
  });
});

describe('baton run with agents as tools', () => {
  it('executes the whole session tree in-process and prints only the root session with --json', async () => {
    const db = join(dir, 'run-tree.db');
    const result = await runCli(['run', AGENT, 'help me', '--json', '--db', db], {
      env: { BATON_TEST_TOOL_MS: '0' },
    });
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as BatonEvent);
    const sessions = new Set(events.map((event) => event.sessionId));
    expect(sessions.size).toBe(1);
    expect(events.filter((event) => event.type === 'subagent.completed')).toHaveLength(3);
    expect(events.at(-1)?.type).toBe('run.completed');
  });
});
