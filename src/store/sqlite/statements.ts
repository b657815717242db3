import type Database from 'better-sqlite3';
import { HEAD_ROW_SEQ } from './migrations.js';

const RUN_COLUMNS =
  'id, session_id, agent, status, attempt, started_attempt, kind, input, agent_module, traceparent, pool, active_ms, ' +
  'definition_hash, ' +
  'idempotency_key, lease_owner, lease_token, lease_expires_at, usage, result, error, cancel_requested, ' +
  'created_at, updated_at, started_at, finished_at';
const TASK_COLUMNS =
  'id, profile, args, namespace, idempotency_key, status, progress, result, error, cost_usd, run_id, ' +
  'feedback, created_at, started_at, completed_at';
const SESSION_COLUMNS =
  'id, agent, status, context, auth, token_hash, checkpoint, parent_session_id, ' +
  'parent_tool_call_id, created_at, updated_at';
const WORKER_COLUMNS =
  'id, host, pid, serves, concurrency, runs_in_flight, started_at, last_heartbeat_at, expires_at';

/** `a, b` → `@a, @b`: named parameters for a column list. */
function named(columns: string): string {
  return columns
    .split(', ')
    .map((column) => `@${column}`)
    .join(', ');
}

/**
 * Every fixed statement of the SQLite store, prepared once per connection. Statements whose
 * WHERE clause depends on the filters given are prepared on demand and cached by their text.
 */
export class SqliteStatements {
  readonly insertSession: Database.Statement;
  readonly getSession: Database.Statement;
  readonly sessionByTokenHash: Database.Statement;
  readonly moveHead: Database.Statement;
  readonly markSessionRunning: Database.Statement;
  readonly insertRun: Database.Statement;
  readonly getRun: Database.Statement;
  readonly runByKey: Database.Statement;
  readonly leaseToken: Database.Statement;
  readonly claim: Database.Statement;
  readonly renewLease: Database.Statement;
  readonly activeAgentModules: Database.Statement;
  readonly releaseLease: Database.Statement;
  readonly head: Database.Statement;
  readonly stepBoundary: Database.Statement;
  readonly appendChecks: Database.Statement;
  readonly eventsAfter: Database.Statement;
  readonly maxEventPos: Database.Statement;
  readonly dataVersion: Database.Statement;
  readonly putBlob: Database.Statement;
  readonly getBlob: Database.Statement;
  readonly insertTask: Database.Statement;
  readonly getTask: Database.Statement;
  readonly taskByKey: Database.Statement;
  readonly taskByRun: Database.Statement;
  readonly pruneTasks: Database.Statement;
  readonly upsertWorker: Database.Statement;
  readonly listWorkers: Database.Statement;
  readonly removeWorker: Database.Statement;
  readonly dropStaleWorkers: Database.Statement;
  readonly putMark: Database.Statement;
  readonly deleteMark: Database.Statement;
  readonly listMarks: Database.Statement;
  readonly #db: Database.Database;
  readonly #dynamic = new Map<string, Database.Statement>();
  /** `insertEvents(n)` by `n`. */
  readonly #insertEvents: Database.Statement[] = [];
  /** `insertEventKeys(n)` by `n`. */
  readonly #insertEventKeys: Database.Statement[] = [];

  constructor(db: Database.Database) {
    this.#db = db;
    this.insertSession = db.prepare(
      `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (${named(SESSION_COLUMNS)})`,
    );
    this.getSession = db.prepare('SELECT * FROM sessions_with_head WHERE id = ?');
    this.sessionByTokenHash = db.prepare('SELECT * FROM sessions_with_head WHERE token_hash = ? LIMIT 1');
    // Positional, as `appendChecks`: each runs at every append, and better-sqlite3 binds a named
    // parameter by looking its name up in the object given (about 7,000 instructions an append).
    // Parameters: the session id, the head's seq and hash.
    this.moveHead = db.prepare(
      `INSERT INTO session_events (session_id, seq, head_seq, head_hash) VALUES (?, ${HEAD_ROW_SEQ}, ?, ?)
       ON CONFLICT (session_id, seq) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`,
    );
    this.markSessionRunning = db.prepare(
      "UPDATE sessions SET status = 'running', updated_at = @now WHERE id = @id",
    );
    this.insertRun = db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (${named(RUN_COLUMNS)})`);
    this.getRun = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.runByKey = db.prepare('SELECT * FROM runs WHERE idempotency_key = ?');
    this.leaseToken = db.prepare('SELECT lease_token FROM runs WHERE id = ?').pluck();
    this.claim = db.prepare(
      `UPDATE runs SET status = 'running', lease_owner = @owner, lease_token = @token, lease_expires_at = @expiresAt,
       started_at = COALESCE(started_at, @now), updated_at = @now WHERE pos = @pos`,
    );
    this.renewLease = db.prepare(
      'UPDATE runs SET lease_expires_at = ?, active_ms = COALESCE(?, active_ms) WHERE id = ? AND lease_token = ?',
    );
    this.activeAgentModules = db
      .prepare(
        "SELECT DISTINCT agent_module FROM runs WHERE status IN ('queued', 'running') AND agent_module IS NOT NULL AND (@pool IS NULL OR pool = @pool)",
      )
      .pluck();
    this.releaseLease = db.prepare(
      'UPDATE runs SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ?',
    );
    this.head = db.prepare(
      `SELECT head_seq AS seq, head_hash AS hash FROM session_events WHERE session_id = ? AND seq = ${HEAD_ROW_SEQ}`,
    );
    // One row even when the session is missing: the run's cancel flag is still read.
    this.stepBoundary = db.prepare(
      `SELECT h.head_seq AS seq, h.head_hash AS hash,
         (SELECT cancel_requested FROM runs WHERE id = @runId) AS cancel
       FROM (SELECT 1) LEFT JOIN session_events AS h ON h.session_id = @sessionId AND h.seq = ${HEAD_ROW_SEQ}`,
    );
    // What an append checks before writing, in one read (always one row; `found` 0 when the
    // session is missing): the session's head, and the run's lease token and cancel flag.
    // Parameters: the session id, the run id, the session id again.
    this.appendChecks = db.prepare(
      `SELECT s.id IS NOT NULL AS found, h.head_seq, h.head_hash, r.lease_token, r.cancel_requested AS cancel
       FROM (SELECT 1) LEFT JOIN sessions AS s ON s.id = ? LEFT JOIN runs AS r ON r.id = ?
       LEFT JOIN session_events AS h ON h.session_id = ? AND h.seq = ${HEAD_ROW_SEQ}`,
    );
    this.eventsAfter = db.prepare('SELECT * FROM events WHERE pos > ? ORDER BY pos LIMIT ?');
    this.maxEventPos = db.prepare('SELECT COALESCE(MAX(pos), 0) FROM events').pluck();
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.putBlob = db.prepare('INSERT OR IGNORE INTO blobs (hash, bytes) VALUES (?, ?)');
    this.getBlob = db.prepare('SELECT bytes FROM blobs WHERE hash = ?').pluck();
    this.insertTask = db.prepare(`INSERT INTO tasks (${TASK_COLUMNS}) VALUES (${named(TASK_COLUMNS)})`);
    this.getTask = db.prepare('SELECT * FROM tasks WHERE id = ?');
    this.taskByKey = db.prepare('SELECT * FROM tasks WHERE idempotency_key = ?');
    this.taskByRun = db.prepare('SELECT * FROM tasks WHERE run_id = ? ORDER BY pos LIMIT 1');
    this.pruneTasks = db.prepare(
      `DELETE FROM tasks WHERE status IN ('completed', 'failed', 'cancelled') AND pos NOT IN (
         SELECT pos FROM tasks WHERE status IN ('completed', 'failed', 'cancelled') ORDER BY pos DESC LIMIT ?)`,
    );
    this.upsertWorker = db.prepare(
      `INSERT INTO workers (${WORKER_COLUMNS}) VALUES (${named(WORKER_COLUMNS)})
       ON CONFLICT (id) DO UPDATE SET serves = excluded.serves, runs_in_flight = excluded.runs_in_flight,
         last_heartbeat_at = excluded.last_heartbeat_at, expires_at = excluded.expires_at`,
    );
    this.listWorkers = db.prepare('SELECT * FROM workers WHERE expires_at > ? ORDER BY pos');
    this.removeWorker = db.prepare('DELETE FROM workers WHERE id = ?');
    this.dropStaleWorkers = db.prepare('DELETE FROM workers WHERE expires_at <= ?');
    this.putMark = db.prepare('INSERT OR IGNORE INTO marks (scope, key, created_at) VALUES (?, ?, ?)');
    this.deleteMark = db.prepare('DELETE FROM marks WHERE scope = ? AND key = ?');
    this.listMarks = db.prepare('SELECT key FROM marks WHERE scope = ? ORDER BY key').pluck();
  }

  /**
   * `INSERT INTO events` of `rows` rows in one statement (parameters: each row's session id, seq,
   * run id, type, ts, data and hash in turn), prepared once per row count: one call into the
   * driver per append instead of one per event.
   */
  insertEvents(rows: number): Database.Statement {
    return this.#multiRow(
      this.#insertEvents,
      rows,
      'INSERT INTO events (session_id, seq, run_id, type, ts, data, hash)',
      7,
    );
  }

  /**
   * `INSERT INTO session_events` of `rows` keys (parameters: each key's session id, seq and pos
   * in turn), prepared once per row count. A seq taken twice fails here, as the events' own
   * UNIQUE (session_id, seq) did.
   */
  insertEventKeys(rows: number): Database.Statement {
    return this.#multiRow(
      this.#insertEventKeys,
      rows,
      'INSERT INTO session_events (session_id, seq, pos)',
      3,
    );
  }

  #multiRow(cache: Database.Statement[], rows: number, insert: string, columns: number): Database.Statement {
    let statement = cache[rows];
    if (!statement) {
      const row = `(${Array(columns).fill('?').join(', ')})`;
      statement = this.#db.prepare(`${insert} VALUES ${Array(rows).fill(row).join(', ')}`);
      cache[rows] = statement;
    }
    return statement;
  }

  /** A statement built from filters, prepared on first use and reused afterwards. */
  dynamic(sql: string): Database.Statement {
    let statement = this.#dynamic.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#dynamic.set(sql, statement);
    }
    return statement;
  }
}
