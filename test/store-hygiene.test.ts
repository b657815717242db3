import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { detachRun, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-hygiene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

/** A database holding one detached (queued) run, as `baton run --detach` leaves it. */
async function databaseWithQueuedRun(
  name: string,
): Promise<{ db: string; sessionId: string; runId: string }> {
  const db = join(mkdtempSync(join(dir, `${name}-`)), 'baton.db');
  return { db, ...(await detachRun('test/fixtures/agents/three-lookups.ts', db)) };
}

/** Every command that opens the store, against `db`. */
function commands(db: string, ids: { sessionId: string; runId: string }): string[][] {
  return [
    ['runs', 'list', '--db', db],
    ['runs', 'show', ids.runId, '--db', db],
    ['events', ids.sessionId, '--db', db],
    ['verify-log', ids.sessionId, '--db', db],
    ['workers', 'list', '--db', db],
    ['worker', '--until-idle', '--poll-interval', '20', '--db', db],
  ];
}

describe('the Baton home', () => {
  // Whichever command creates `.baton/` first: the key path (`keys show`) or the store's (`runs list`).
  it.each([
    ['keys', 'show'],
    ['runs', 'list'],
  ])('is created 0700 with a .gitignore of * by `baton %s %s`, key files 0600', async (...args) => {
    const project = mkdtempSync(join(dir, 'project-'));
    const first = await runCli(args, { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    const home = join(project, '.baton');
    expect(mode(home)).toBe(0o700);
    expect(readFileSync(join(home, '.gitignore'), 'utf8')).toBe('*\n');
    const keys = await runCli(['keys', 'show'], { cwd: project });
    expect(keys.code, keys.stderr).toBe(0);
    expect(mode(home)).toBe(0o700);
    expect(mode(join(home, 'keys'))).toBe(0o700);
    expect(mode(join(home, 'keys', 'ed25519.key.pem'))).toBe(0o600);
    expect(existsSync(join(home, 'keys', 'ed25519.pub.pem'))).toBe(true);
    expect(mode(join(home, 'keys', 'ed25519.pub.pem')) & 0o022).toBe(0);
  });
});

describe('the SQLite store file', () => {
  it('is created 0600 in a folder created 0700, and so are its WAL files', async () => {
    const db = join(dir, 'fresh', 'nested', 'baton.db');
    const listed = await runCli(['runs', 'list', '--db', db]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(mode(join(dir, 'fresh'))).toBe(0o700);
    expect(mode(join(dir, 'fresh', 'nested'))).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    const store = new SqliteStore(db);
    await store.createSession({ id: 'ses_x', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
    expect(mode(`${db}-wal`)).toBe(0o600);
    await store.close();
  });

  it('makes every command, the worker included, exit 3 with store_corrupt when the file is not a database', async () => {
    const { db, ...ids } = await databaseWithQueuedRun('notadb');
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    closeSync(fd);
    for (const args of commands(db, ids)) {
      const result = await runCli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toContain('corrupt');
    }
  });

  it('makes every command, the worker included, exit 3 when a page of the log is damaged', async () => {
    const { db, ...ids } = await databaseWithQueuedRun('page');
    const raw = new Database(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const root = raw
      .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'events'")
      .pluck()
      .get() as number;
    raw.close();
    // The events table's root page becomes garbage: SQLite reports SQLITE_CORRUPT on reading it.
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    for (const args of commands(db, ids).filter(
      ([name]) => name === 'events' || name === 'verify-log' || name === 'worker',
    )) {
      const result = await runCli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(/store_corrupt|corrupt/);
    }
    // The worker recorded nothing: the run was not failed for the damage.
    const run = new Database(db).prepare('SELECT status, error FROM runs WHERE id = ?').get(ids.runId);
    expect(run).toMatchObject({ error: null });
  });

  it('reports event data that is not JSON as store_corrupt, never as a raw JSON parse error', async () => {
    const { db, sessionId } = await databaseWithQueuedRun('json');
    const raw = new Database(db);
    raw.prepare('UPDATE events SET data = \'{"role":"us\' WHERE session_id = ? AND seq = 1').run(sessionId);
    raw.close();
    const verify = await runCli(['verify-log', sessionId, '--db', db]);
    expect(verify.code).toBe(3);
    expect(verify.stderr).toContain(
      `the database is corrupt: event 1 of session ${sessionId} is not valid JSON`,
    );
    expect(verify.stderr).not.toMatch(/^baton: (Unexpected|Unterminated|SyntaxError)/m);
  });
});
