import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import type { RunView } from '../src/runtime/types.js';
import { detachRun, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-runs-'));
const db = join(dir, 'baton.db');
let detached: { sessionId: string; runId: string };

beforeAll(async () => {
  detached = await detachRun('test/fixtures/agents/three-lookups.ts', db);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton run --detach, worker, runs, events, verify-log', () => {
  it('enqueues without executing, then a worker that was told nothing runs it from the recorded module', async () => {
    expect(Object.keys(detached).sort()).toEqual(['runId', 'sessionId']);
    const queued = await runCli(['runs', 'show', detached.runId, '--json', '--db', db]);
    expect((JSON.parse(queued.stdout) as RunView).status).toBe('queued');
    const worker = await runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db]);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toBe('');
    const shown = await runCli(['runs', 'show', detached.runId, '--json', '--db', db]);
    const run = JSON.parse(shown.stdout) as RunView;
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'Paris, Oslo and Lima looked up.' } });
    expect(JSON.stringify(run)).not.toContain('token');
    const human = await runCli(['runs', 'show', detached.runId, '--db', db]);
    expect(human.stdout).toMatch(/status\s+succeeded/);
  });

  it('lists runs newest first as JSON and as text', async () => {
    const json = await runCli(['runs', 'list', '--json', '--db', db]);
    const runs = JSON.parse(json.stdout) as RunView[];
    expect(runs.map((run) => run.id)).toContain(detached.runId);
    const text = await runCli(['runs', 'list', '--db', db]);
    expect(text.stdout).toContain(detached.runId);
  });

  it('prints persisted events from a seq as NDJSON', async () => {
    const result = await runCli(['events', detached.sessionId, '--from', '2', '--json', '--db', db]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as BatonEvent);
    expect(events[0]?.seq).toBe(2);
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('verifies an intact chain with exit 0 and names the first bad seq of a tampered one with exit 1', async () => {
    const valid = await runCli(['verify-log', detached.sessionId, '--db', db]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^valid: \d+ events/);
    const database = new Database(db);
    database
      .prepare("UPDATE events SET data = json_set(data, '$.text', 'forged') WHERE session_id = ? AND seq = 1")
      .run(detached.sessionId);
    database.close();
    const broken = await runCli(['verify-log', detached.sessionId, '--db', db]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('broken at seq 1');
  });

  it('reports an unknown session as a usage error (exit 2)', async () => {
    const result = await runCli(['verify-log', 'ses_missing', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ses_missing');
  });
});
