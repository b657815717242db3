import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/core/events.js';
import { UserError } from '../src/index.js';
import { SqliteStore, sqliteCommitFloor } from '../src/store/sqlite/index.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
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

  it('fills in the started attempt of runs that started before the column existed', async () => {
    const first = new SqliteStore(path);
    await first.createSession({ id: 'ses_old', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
    await first.createRun({
      id: 'run_old',
      sessionId: 'ses_old',
      agent: 'a',
      kind: 'message',
      input: {},
      idempotencyKey: null,
    });
    for (const attempt of [1, 3])
      await first.append(
        'ses_old',
        [{ type: 'run.started', data: { agent: 'a', attempt, definitionHash: 'h' } }],
        {
          runId: 'run_old',
        },
      );
    await first.close();
    // The file as a Baton before migrations 6 and 7 left it.
    const db = new Database(path);
    db.exec(`DROP INDEX sessions_parent;
      ALTER TABLE sessions DROP COLUMN parent_session_id; ALTER TABLE sessions DROP COLUMN parent_tool_call_id;
      ALTER TABLE runs DROP COLUMN started_attempt; ALTER TABLE sessions DROP COLUMN checkpoint;
      DELETE FROM schema_migrations WHERE version IN (6, 7);`);
    db.close();
    const second = new SqliteStore(path);
    try {
      expect((await second.getRun('run_old'))?.startedAttempt).toBe(3);
      expect((await second.getSession('ses_old'))?.checkpoint).toBeNull();
    } finally {
      await second.close();
    }
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
