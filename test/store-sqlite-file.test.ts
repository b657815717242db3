import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BatonEvent, verifyChain } from '../src/core/events.js';
import { UserError } from '../src/index.js';
import { verifySessionLog } from '../src/runtime/verify-session.js';
import { sealDrafts } from '../src/store/seal-drafts.js';
import { SqliteStore, sqliteCommitFloor } from '../src/store/sqlite/index.js';
import { migrate, SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { StoreCorruptError } from '../src/store/store-corrupt.js';

describe('SqliteStore on disk', () => {
  let directory: string;
  let path: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-sqlite-'));
    path = join(directory, 'nested', 'baton.db');
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function migrationRows(): { version: number; applied_at: string }[] {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as {
        version: number;
        applied_at: string;
      }[];
    } finally {
      db.close();
    }
  }

  it('keeps its data across a reopen and does not run migrations again', async () => {
    const first = new SqliteStore(path);
    await first.createSession({ id: 'ses_keep', agent: 'a', context: { n: 1 }, auth: {}, tokenHash: 'h' });
    await first.append('ses_keep', [{ type: 'step.started', data: { step: 0 } }], { runId: 'run_keep' });
    const blob = await first.putBlob(new TextEncoder().encode('kept'));
    await first.close();
    const applied = migrationRows();
    expect(applied.map((row) => row.version)).toEqual(
      SQLITE_MIGRATIONS.map((migration) => migration.version),
    );

    const second = new SqliteStore(path);
    try {
      expect(await second.getSession('ses_keep')).toMatchObject({ context: { n: 1 } });
      const events = await second.readEvents('ses_keep');
      expect(verifyChain(events)).toMatchObject({ ok: true, count: 1 });
      expect(new TextDecoder().decode(await second.getBlob(blob))).toBe('kept');
      const [next] = await second.append('ses_keep', [{ type: 'step.completed', data: { step: 0 } }], {
        runId: 'run_keep',
      });
      expect(next?.seq).toBe(1);
    } finally {
      await second.close();
    }
    expect(migrationRows()).toEqual(applied);
  });

  /** A file as a Baton at schema `version` left it (`migrate` with the migrations up to it). */
  function fileAtVersion(version: number): Database.Database {
    mkdirSync(join(directory, 'nested'), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    migrate(
      db,
      SQLITE_MIGRATIONS.filter((migration) => migration.version <= version),
    );
    return db;
  }

  it('fills in the started attempt of runs that started before the column existed', async () => {
    const db = fileAtVersion(5);
    db.exec(`INSERT INTO sessions (id, agent, status, context, auth, token_hash, created_at, updated_at, head_seq, head_hash)
        VALUES ('ses_old', 'a', 'running', '{}', '{}', 'h', 't', 't', 1, 'h1');
      INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, usage, cancel_requested, created_at, updated_at)
        VALUES ('run_old', 'ses_old', 'a', 'running', 3, 'message', '{}', '{}', 0, 't', 't');
      INSERT INTO events (session_id, seq, run_id, type, ts, data, hash) VALUES
        ('ses_old', 0, 'run_old', 'run.started', 't', '{"agent":"a","attempt":1,"definitionHash":"h"}', 'h0'),
        ('ses_old', 1, 'run_old', 'run.started', 't', '{"agent":"a","attempt":3,"definitionHash":"h"}', 'h1');`);
    db.close();
    const second = new SqliteStore(path);
    try {
      expect((await second.getRun('run_old'))?.startedAttempt).toBe(3);
      expect((await second.getSession('ses_old'))?.checkpoint).toBeNull();
    } finally {
      await second.close();
    }
  });

  it('moves each session head off the session row, keeping the events, the head and the chain', async () => {
    // A version 7 file, its events sealed and its head set as a Baton at that version did.
    const db = fileAtVersion(7);
    const now = new Date().toISOString();
    const events = sealDrafts(
      undefined,
      [
        { type: 'step.started', data: { step: 0 } },
        { type: 'message.received', data: { role: 'user', text: 'hi' } },
        { type: 'step.completed', data: { step: 0 } },
      ],
      { sessionId: 'ses_v7', runId: 'run_v7', ts: now },
    );
    const last = events.at(-1) as BatonEvent;
    db.prepare(
      `INSERT INTO sessions (id, agent, status, context, auth, token_hash, head_seq, head_hash, created_at, updated_at)
       VALUES ('ses_v7', 'a', 'idle', '{}', '{}', 'h7', ?, ?, ?, ?)`,
    ).run(last.seq, last.hash, now, now);
    db.prepare(
      `INSERT INTO sessions (id, agent, status, context, auth, token_hash, created_at, updated_at)
       VALUES ('ses_empty', 'a', 'idle', '{}', '{}', 'h0', ?, ?)`,
    ).run(now, now);
    const insert = db.prepare(
      'INSERT INTO events (session_id, seq, run_id, type, ts, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const event of events) {
      insert.run(
        event.sessionId,
        event.seq,
        event.runId,
        event.type,
        event.ts,
        JSON.stringify(event.data),
        event.hash,
      );
    }
    db.close();

    const store = new SqliteStore(path);
    try {
      expect(await store.readEvents('ses_v7')).toEqual(events);
      expect(await store.head('ses_v7')).toEqual({ seq: last.seq, hash: last.hash });
      expect(await store.getSession('ses_v7')).toMatchObject({ headSeq: last.seq, headHash: last.hash });
      expect(await store.head('ses_empty')).toBeUndefined();
      expect(await store.getSession('ses_empty')).toMatchObject({ headSeq: null, headHash: null });
      // A conditional append on the migrated head goes through and chains onto it.
      const [next] = await store.append('ses_v7', [{ type: 'step.started', data: { step: 1 } }], {
        runId: 'run_v7',
        expectedHeadSeq: last.seq,
      });
      expect(next?.seq).toBe(last.seq + 1);
      expect(verifyChain(await store.readEvents('ses_v7'))).toMatchObject({ ok: true, count: 4 });
      await expect(
        store.append('ses_v7', [{ type: 'step.started', data: { step: 2 } }], {
          runId: 'run_v7',
          expectedHeadSeq: last.seq,
        }),
      ).rejects.toMatchObject({ code: 'append_conflict' });
      expect((await verifySessionLog(store, 'ses_v7')).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('reads a session’s own events only, after an event row was deleted by hand and its pos given again', async () => {
    const store = new SqliteStore(path);
    for (const id of ['ses_a', 'ses_b']) {
      await store.createSession({ id, agent: 'a', context: {}, auth: {}, tokenHash: `h_${id}` });
      await store.createRun({
        id: `run_${id}`,
        sessionId: id,
        agent: 'a',
        kind: 'message',
        input: {},
        idempotencyKey: null,
      });
    }
    const progress = (iteration: number, phase: string) => ({
      type: 'task.progress' as const,
      data: { iteration, phase },
    });
    await store.append('ses_a', [progress(0, 'a'), progress(1, 'a')], { runId: 'run_ses_a' });
    // The newest event row goes (as the truthful-state tests tamper); its key stays behind, and
    // SQLite gives its pos to the next insert.
    const raw = new Database(path);
    raw.prepare("DELETE FROM events WHERE session_id = 'ses_a' AND seq = 1").run();
    raw.close();
    await store.append('ses_b', [progress(0, 'secret of b')], { runId: 'run_ses_b' });
    expect((await store.readEvents('ses_a')).map((event) => [event.sessionId, event.seq])).toEqual([
      ['ses_a', 0],
    ]);
    await store.close();
  });

  it('runs in WAL mode with the chosen synchronous level', async () => {
    const store = new SqliteStore(path, { synchronous: 'FULL' });
    await store.close();
    const db = new Database(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect(() => new SqliteStore(path, { synchronous: 'OFF' as 'FULL' })).toThrow(UserError);
  });

  it('refuses a file that is not a database with a store_corrupt error', () => {
    const bogus = join(directory, 'not-a-db.db');
    writeFileSync(bogus, 'this is plainly not an SQLite database, just some text padding it out'.repeat(20));
    expect(() => new SqliteStore(bogus)).toThrow(StoreCorruptError);
  });

  it('refuses a database whose schema is newer than this code', async () => {
    await new SqliteStore(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      999,
      'future',
      new Date().toISOString(),
    );
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/schema version 999/);
  });

  it('measures the raw commit floor in milliseconds per commit', () => {
    for (const synchronous of ['NORMAL', 'FULL'] as const) {
      const perCommit = sqliteCommitFloor({ synchronous, iterations: 20 });
      expect(perCommit).toBeGreaterThan(0);
      expect(Number.isFinite(perCommit)).toBe(true);
    }
  });
});
