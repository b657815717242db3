import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { runCli } from './helpers/cli.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import { createScaleFixture, type ScaleFixture } from './helpers/scale-fixture.js';

const schema = uniqueSchema('cli');
const url = schemaUrl(schema);
let fixture: ScaleFixture;

beforeAll(() => {
  fixture = createScaleFixture();
});

afterAll(async () => {
  await dropSchema(schema);
  fixture.cleanup();
});

describe('the CLI on a Postgres database', () => {
  it('runs an agent with --db, then reads it back through BATON_DB with the read commands', async () => {
    const run = await runCli(['run', fixture.agentFile('record'), 'hello', '--json', '--db', url]);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BatonEvent);
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', data: { text: 'recorded' } });
    expect(verifyChain(events)).toMatchObject({ ok: true, count: events.length });
    const sessionId = events[0]?.sessionId ?? '';
    const runId = events[0]?.runId ?? '';

    const env = { BATON_DB: url };
    const listed = await runCli(['runs', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: runId, status: 'succeeded' })]);
    const replayed = await runCli(['events', sessionId, '--json'], { env });
    expect(
      replayed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(events);
    const verified = await runCli(['verify-log', sessionId], { env });
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('executes a detached run with baton worker on the same database', async () => {
    const detached = await runCli(['run', fixture.agentFile('record'), 'later', '--detach', '--db', url]);
    expect(detached.code, detached.stderr).toBe(0);
    const { runId } = JSON.parse(detached.stdout) as { runId: string };
    const worker = await runCli(['worker', '--until-idle', '--db', url]);
    expect(worker.code, worker.stderr).toBe(0);
    const shown = await runCli(['runs', 'show', runId, '--json', '--db', url]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: runId, status: 'succeeded' });
  });

  it('fails with one clear line, without the password, when the database refuses the role', async () => {
    const bad = new URL(PG_URL);
    bad.username = 'baton_no_such_role';
    bad.password = 'hunter2';
    const result = await runCli(['runs', 'list', '--db', bad.href]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^baton: authentication to postgres:\/\/baton_no_such_role:\*\*\*@/);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
