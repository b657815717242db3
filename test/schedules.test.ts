import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonServer } from '../src/server/start-server.js';
import { startBatonServer } from '../src/server/start-server.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

const SRC = join(REPO_ROOT, 'src', 'index.js');
const T0 = Date.parse('2026-01-01T00:00:30Z');
const MINUTE = 60_000;

/** An agents folder: `echo` with one schedule per catch-up mode, firing every minute. */
function writeAgents(dir: string): string {
  const agents = join(dir, 'agents');
  mkdirSync(join(agents, 'echo', 'schedules'), { recursive: true });
  writeFileSync(
    join(agents, 'echo', 'agent.ts'),
    `import { defineAgent, scriptedModel } from '${SRC}';
export default defineAgent({
  name: 'echo',
  instructions: 'Echo.',
  model: scriptedModel((request) => ({ text: 'echo: ' + request.lastUserText })),
});
`,
  );
  for (const [id, catchUp, session] of [
    ['skip', 'skip', 'new'],
    ['latest', 'latest', 'new'],
    ['all', 'all', 'new'],
    ['shared', 'all', 'shared'],
  ]) {
    writeFileSync(
      join(agents, 'echo', 'schedules', `${id}.ts`),
      `import { defineSchedule } from '${SRC}';
export default defineSchedule({
  cron: '* * * * *',
  session: '${session}',
  catchUp: '${catchUp}',
  message: ({ scheduleId, tick }) => scheduleId + ' at ' + tick,
});
`,
    );
  }
  return agents;
}

/** The ticks each schedule's runs were keyed by, from the store. */
async function firedTicks(store: Store): Promise<Record<string, string[]>> {
  const fired: Record<string, string[]> = {};
  for (const run of (await store.listRuns({ limit: 1_000 })).items) {
    const match = /^schedule:echo\/(\w+):(.+)$/.exec(run.idempotencyKey ?? '');
    if (match?.[1] && match[2]) fired[match[1]] = [...(fired[match[1]] ?? []), match[2]];
  }
  for (const ticks of Object.values(fired)) ticks.sort();
  return fired;
}

const iso = (time: number) => new Date(time).toISOString();
const minuteTick = (n: number) => iso(Date.parse('2026-01-01T00:00:00Z') + n * MINUTE);

describe('schedules in one process, with an injected clock', () => {
  let dir: string;
  let agents: string;
  let now = T0;
  let server: BatonServer;
  const start = () =>
    startBatonServer({
      agentsDir: agents,
      port: 0,
      // Passes are driven by the test, one at a time.
      schedules: false,
      now: () => now,
      openStore: () => openStore(join(dir, 'baton.db')),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-schedules-'));
    agents = writeAgents(dir);
    server = await start();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the schedules by <agent>/<id> over HTTP', async () => {
    const response = await fetch(`${server.url}/v1/schedules`);
    const { schedules } = (await response.json()) as { schedules: { id: string; nextTick: string }[] };
    expect(schedules.map((schedule) => schedule.id)).toEqual([
      'echo/all',
      'echo/latest',
      'echo/shared',
      'echo/skip',
    ]);
    expect(schedules[0]?.nextTick).toBe(minuteTick(1));
  });

  it('fires each due tick, then follows catchUp after a downtime', async () => {
    await server.scheduler.pass(); // the first look only notes when the schedules began to be served
    now = T0 + MINUTE;
    await server.scheduler.pass();
    expect(await firedTicks(server.runtime.store)).toEqual({
      all: [minuteTick(1)],
      latest: [minuteTick(1)],
      skip: [minuteTick(1)],
    });
    await server.stop();
    now = T0 + 6 * MINUTE; // ticks 2..6 came due while nothing ran
    server = await start();
    await server.scheduler.pass();
    const fired = await firedTicks(server.runtime.store);
    expect(fired.skip).toEqual([minuteTick(1)]);
    expect(fired.latest).toEqual([minuteTick(1), minuteTick(6)]);
    expect(fired.all).toEqual([1, 2, 3, 4, 5, 6].map(minuteTick));
    now = T0 + 7 * MINUTE;
    await server.scheduler.pass();
    expect((await firedTicks(server.runtime.store)).skip).toEqual([minuteTick(1), minuteTick(7)]);
  });

  it('puts every tick of a shared schedule in one session, each after a schedule.fired', async () => {
    const { store } = server.runtime;
    const sessions = (await store.listSessions({ limit: 100 })).items;
    const shared = [];
    for (const session of sessions) {
      const events = await store.readEvents(session.id, { types: ['schedule.fired'] });
      const ids = new Set(events.map((event) => (event.data as { scheduleId: string }).scheduleId));
      if (ids.has('echo/shared')) shared.push({ session, events });
    }
    expect(shared).toHaveLength(1);
    expect(shared[0]?.events.map((event) => (event.data as { tick: string }).tick)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map(minuteTick),
    );
  });

  it('pauses and resumes durably, and triggers by hand over HTTP', async () => {
    await server.scheduler.setPaused('echo/all', true);
    await server.stop();
    server = await start();
    now = T0 + 8 * MINUTE;
    await server.scheduler.pass();
    expect((await firedTicks(server.runtime.store)).all).not.toContain(minuteTick(8));
    expect((await server.scheduler.list()).find((view) => view.id === 'echo/all')?.paused).toBe(true);
    await server.scheduler.setPaused('echo/all', false);
    await server.scheduler.pass();
    expect((await firedTicks(server.runtime.store)).all).toContain(minuteTick(8));

    now = T0 + 8 * MINUTE + 1_234;
    const response = await fetch(`${server.url}/v1/schedules/echo/skip/trigger`, { method: 'POST' });
    expect(response.status).toBe(202);
    const fired = (await response.json()) as { tick: string; sessionId: string };
    expect(fired.tick).toBe(iso(now));
    expect((await firedTicks(server.runtime.store)).skip).toContain(iso(now));
    const missing = await fetch(`${server.url}/v1/schedules/echo/nope/trigger`, { method: 'POST' });
    expect(missing.status).toBe(404);
  });
});

describe('schedules across two baton serve processes on one Postgres', () => {
  const schema = uniqueSchema('schedules');
  let dir: string;
  let clock: string;
  let servers: ServeProcess[] = [];
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-schedules-pg-'));
    const agents = writeAgents(dir);
    clock = join(dir, 'clock');
    writeFileSync(clock, String(T0));
    const args = ['--agents', agents, '--db', schemaUrl(schema), '--port', '0', '--clock-file', clock];
    servers = await Promise.all([startServeProcess(args), startServeProcess(args)]);
    store = await openStore(schemaUrl(schema));
  });

  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    await store?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires each of 20 ticks once', async () => {
    await waitFor(async () => (await store.listMarks('schedule.since:echo/all')).length > 0, {
      message: 'the schedules to be served',
    });
    for (let tick = 1; tick <= 20; tick += 1) {
      writeFileSync(clock, String(T0 + tick * MINUTE));
      await waitFor(async () => (await firedTicks(store)).skip?.length === tick, { message: `tick ${tick}` });
    }
    const fired = await firedTicks(store);
    const expected = Array.from({ length: 20 }, (_, index) => minuteTick(index + 1));
    for (const id of ['skip', 'latest', 'all']) expect(fired[id]).toEqual(expected);
    const sharedTicks = async () => {
      const ticks: string[] = [];
      for (const session of (await store.listSessions({ limit: 200 })).items) {
        for (const event of await store.readEvents(session.id, { types: ['schedule.fired'] })) {
          const data = event.data as { scheduleId: string; tick: string };
          if (data.scheduleId === 'echo/shared') ticks.push(data.tick);
        }
      }
      return ticks;
    };
    const sharedFired = await waitFor(
      async () => {
        const ticks = await sharedTicks();
        return ticks.length >= 20 && ticks;
      },
      { message: 'the shared ticks' },
    );
    expect(sharedFired).toHaveLength(20);
  });
});

describe('baton schedules', () => {
  let dir: string;
  let agents: string;
  let db: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-schedules-cli-'));
    agents = writeAgents(dir);
    db = join(dir, 'baton.db');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]) => {
    const result = await runCli(['schedules', ...args, '--agents', agents, '--db', db, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  };

  it('lists, pauses, resumes and triggers', async () => {
    const listed = (await cli('list')) as { id: string; paused: boolean }[];
    expect(listed.map((view) => [view.id, view.paused])).toContainEqual(['echo/skip', false]);
    expect(await cli('pause', 'echo/skip')).toEqual({ id: 'echo/skip', paused: true });
    expect(
      ((await cli('list')) as { id: string; paused: boolean }[]).find((view) => view.id === 'echo/skip')
        ?.paused,
    ).toBe(true);
    expect(await cli('resume', 'echo/skip')).toEqual({ id: 'echo/skip', paused: false });
    const fired = (await cli('trigger', 'echo/skip')) as { scheduleId: string; runId: string };
    expect(fired.scheduleId).toBe('echo/skip');
    const store = await openStore(db);
    try {
      expect((await store.getRun(fired.runId))?.idempotencyKey).toMatch(/^schedule:echo\/skip:/);
    } finally {
      await store.close();
    }
    const unknown = await runCli(['schedules', 'trigger', 'echo/nope', '--agents', agents, '--db', db]);
    expect(unknown.code).not.toBe(0);
    // Six CLI processes, each loading TypeScript agent files, on a shared machine.
  }, 240_000);
});
