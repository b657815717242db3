import type Database from 'better-sqlite3';
import { UserError } from '../../core/errors.js';

/**
 * The \`seq\` of a session's head row in \`session_events\`: above every event's seq, so the row
 * sorts right after the session's newest key (the largest integer a JS number binds exactly).
 */
export const HEAD_ROW_SEQ = Number.MAX_SAFE_INTEGER;

/** One numbered schema step. Migrations are append-only: a shipped one is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The SQLite schema history, oldest first. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE sessions (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        agent TEXT NOT NULL,
        status TEXT NOT NULL,
        context TEXT NOT NULL,
        auth TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX sessions_token_hash ON sessions (token_hash);

      CREATE TABLE runs (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        kind TEXT NOT NULL,
        input TEXT NOT NULL,
        definition_hash TEXT,
        idempotency_key TEXT UNIQUE,
        lease_owner TEXT,
        lease_token TEXT,
        lease_expires_at INTEGER,
        usage TEXT NOT NULL,
        result TEXT,
        error TEXT,
        cancel_requested INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX runs_session ON runs (session_id, pos);
      CREATE INDEX runs_status ON runs (status, pos);

      -- pos is the global commit order (rowid alias, never reused because events are never
      -- deleted); watchers in other processes follow it as a cursor.
      CREATE TABLE events (
        pos INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        type TEXT NOT NULL,
        ts TEXT NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (session_id, seq)
      );

      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
      );

      CREATE TABLE tasks (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        profile TEXT NOT NULL,
        args TEXT NOT NULL,
        namespace TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        progress TEXT,
        result TEXT,
        error TEXT,
        cost_usd REAL NOT NULL,
        run_id TEXT,
        feedback TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT
      );
      CREATE INDEX tasks_run ON tasks (run_id);
      CREATE INDEX tasks_namespace ON tasks (namespace, pos);
    `,
  },
  {
    version: 2,
    name: 'chain head on sessions, agent module and active time on runs, worker registry',
    sql: `
      -- The head moves in the same transaction as every append; verify-log compares the log with it.
      ALTER TABLE sessions ADD COLUMN head_seq INTEGER;
      ALTER TABLE sessions ADD COLUMN head_hash TEXT;
      UPDATE sessions SET
        head_seq = (SELECT seq FROM events WHERE events.session_id = sessions.id ORDER BY seq DESC LIMIT 1),
        head_hash = (SELECT hash FROM events WHERE events.session_id = sessions.id ORDER BY seq DESC LIMIT 1);
      -- A session is running while its newest run is queued.
      UPDATE sessions SET status = 'running'
        WHERE id IN (SELECT session_id FROM runs WHERE status = 'queued');
      UPDATE sessions SET status = 'idle' WHERE status = 'completed';

      -- Claims filter on the agent module, so it is a column rather than a field of the input.
      ALTER TABLE runs ADD COLUMN agent_module TEXT;
      UPDATE runs SET agent_module = json_extract(input, '$.agentModule')
        WHERE json_valid(input) AND json_type(input, '$.agentModule') = 'text';
      ALTER TABLE runs ADD COLUMN active_ms INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE workers (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        serves TEXT NOT NULL,
        concurrency INTEGER NOT NULL,
        runs_in_flight INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        last_heartbeat_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'marks: webhook deliveries seen, schedules paused',
    sql: `
      CREATE TABLE marks (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 4,
    name: 'trace context on runs',
    sql: `
      -- Every attempt, child run and delegated task of a run joins the trace stored here.
      ALTER TABLE runs ADD COLUMN traceparent TEXT;
    `,
  },
  {
    version: 5,
    name: 'runner pool on runs',
    sql: `
      -- Pool runs are claimed only by runners of their pool (the claim filters on it).
      ALTER TABLE runs ADD COLUMN pool TEXT;
    `,
  },
  {
    version: 6,
    name: 'transcript checkpoints on sessions, started attempt on runs',
    sql: `
      -- A run starts from the session's newest checkpoint plus the events after it.
      ALTER TABLE sessions ADD COLUMN checkpoint TEXT;
      -- The attempt of the run's latest run.started, so a start does not scan the log for it.
      ALTER TABLE runs ADD COLUMN started_attempt INTEGER NOT NULL DEFAULT 0;
      UPDATE runs SET started_attempt = COALESCE(
        (SELECT MAX(json_extract(events.data, '$.attempt')) FROM events
          WHERE events.session_id = runs.session_id AND events.run_id = runs.id AND events.type = 'run.started'),
        0);
    `,
  },
  {
    version: 7,
    name: 'child sessions: parent session and tool call',
    sql: `
      -- An agent used as a tool runs in a child session linked to the call that started it.
      ALTER TABLE sessions ADD COLUMN parent_session_id TEXT;
      ALTER TABLE sessions ADD COLUMN parent_tool_call_id TEXT;
      CREATE INDEX sessions_parent ON sessions (parent_session_id);
    `,
  },
  {
    version: 8,
    name: 'session heads beside each session log: one b-tree fewer per append',
    sql: `
      -- Each session's events in seq order (key to the event's pos), and after them, at seq
      -- ${HEAD_ROW_SEQ}, its head: the head row shares a page with the newest keys, so an append
      -- writes two b-trees (events, session_events) instead of three (events, their index, the
      -- session row). The head stays a record of its own: deleting events leaves it in place.
      CREATE TABLE session_events (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        pos INTEGER,
        head_seq INTEGER,
        head_hash TEXT,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO session_events (session_id, seq, pos) SELECT session_id, seq, pos FROM events;
      INSERT INTO session_events (session_id, seq, head_seq, head_hash)
        SELECT id, ${HEAD_ROW_SEQ}, head_seq, head_hash FROM sessions WHERE head_seq IS NOT NULL;
      ALTER TABLE sessions DROP COLUMN head_seq;
      ALTER TABLE sessions DROP COLUMN head_hash;

      -- The events table without its UNIQUE (session_id, seq) index: session_events is that index.
      CREATE TABLE events_by_pos (
        pos INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        type TEXT NOT NULL,
        ts TEXT NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO events_by_pos SELECT pos, session_id, seq, run_id, type, ts, data, hash FROM events;
      DROP TABLE events;
      ALTER TABLE events_by_pos RENAME TO events;

      -- A session as records see it: its row and its head.
      CREATE VIEW sessions_with_head AS
        SELECT sessions.*, head.head_seq, head.head_hash FROM sessions
        LEFT JOIN session_events AS head ON head.session_id = sessions.id AND head.seq = ${HEAD_ROW_SEQ};
    `,
  },
];

/**
 * Brings the schema up to date. Every pending migration runs in one `BEGIN IMMEDIATE`
 * transaction that re-reads the applied version first, so two processes opening one new file at
 * once apply every migration exactly once, and a new file costs one commit (one fsync under
 * `FULL`) rather than one per migration; a failing migration leaves the file as it was.
 * Returns the versions applied by this call.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): number[] {
  const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;
  const latest = migrations.at(-1)?.version ?? 0;
  const checkNotNewer = (found: number): void => {
    if (found > latest) {
      throw new UserError(
        'schema_too_new',
        `the database is at schema version ${found}, newer than this Baton (${latest}); upgrade Baton`,
      );
    }
  };
  // A file without the table (a new one) is at version 0: the table is created in the
  // migrations' own transaction, so a new file commits once.
  const appliedVersion = (): number =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() ===
    undefined
      ? 0
      : (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number);
  const found = appliedVersion();
  checkNotNewer(found);
  if (found === latest) return [];
  const applied: number[] = [];
  const steps = db.transaction(() => {
    // Another process may have migrated between the read above and this lock.
    db.exec(createTable);
    const locked = appliedVersion();
    checkNotNewer(locked);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const now = new Date().toISOString();
    for (const migration of migrations) {
      if (migration.version <= locked) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
      applied.push(migration.version);
    }
  });
  steps.immediate();
  return applied;
}
