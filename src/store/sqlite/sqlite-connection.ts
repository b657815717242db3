import type Database from 'better-sqlite3';
import { errorMessage, UserError } from '../../core/errors.js';
import { migrate } from './migrations.js';
import { isCorruptionError, openDatabaseFile, translateSqliteError } from './sqlite-file.js';
import { SqliteStatements } from './statements.js';
import { BACKSTOP_PAGES, DEFAULT_CHECKPOINT_INTERVAL_MS, WalCheckpointer } from './wal-checkpointer.js';
import { prewriteWal, walBytes } from './wal-prewrite.js';

/**
 * How hard each commit waits for the disk. In WAL mode `NORMAL` survives any process crash
 * (SIGKILL included) but may lose the last commits on power loss or an OS crash; `FULL`
 * fsyncs every commit and survives those too, at a higher cost per commit.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Default `NORMAL`. */
  synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often subscribers look for events committed by other processes; default 25 ms. */
  pollIntervalMs?: number;
  /**
   * How often a background thread checkpoints the WAL (PASSIVE), so that no commit pays for a
   * checkpoint; default 200 ms. 0 leaves checkpoints to SQLite's automatic one, inside commits.
   */
  checkpointIntervalMs?: number;
}

/** An open, migrated database file and what the store runs its statements with. */
export interface SqliteConnection {
  db: Database.Database;
  synchronous: SqliteSynchronous;
  statements: SqliteStatements;
  /** Runs `work` in one `BEGIN IMMEDIATE` transaction. */
  immediate: (work: () => unknown) => unknown;
  /** The background checkpoint thread, for a file with checkpoints on. */
  checkpointer: WalCheckpointer | undefined;
}

/**
 * Opens `path` for a store: the durability level, WAL mode and the schema, then the background
 * checkpointer and, under `FULL`, the WAL written out. A file that is not a usable database is
 * one typed error (`store_corrupt`, `store_open_failed`), with the file closed again.
 */
export function openSqliteConnection(path: string, options: SqliteStoreOptions): SqliteConnection {
  const synchronous = options.synchronous ?? 'NORMAL';
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new UserError(
      'invalid_option',
      `synchronous must be 'NORMAL' or 'FULL', got ${String(synchronous)}`,
    );
  }
  const db = openDatabaseFile(path, options.busyTimeoutMs ?? 5_000);
  try {
    // Synchronous first: a new file's switch to WAL then syncs only as much as the level asks.
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('journal_mode = WAL');
    migrate(db);
    const statements = new SqliteStatements(db);
    const transaction = db.transaction((work: () => unknown) => work());
    const immediate: SqliteConnection['immediate'] = (work) => transaction.immediate(work);
    const checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    const checkpoints = path !== ':memory:' && checkpointIntervalMs > 0;
    if (checkpoints) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    if (path !== ':memory:' && synchronous === 'FULL') writeWalOut(db, path, immediate);
    // Last: nothing after it can fail, so no thread is left running for a file that did not open.
    const checkpointer = checkpoints ? new WalCheckpointer(path, checkpointIntervalMs) : undefined;
    return { db, synchronous, statements, immediate, checkpointer };
  } catch (error) {
    db.close();
    if (error instanceof UserError) throw error;
    if (isCorruptionError(error)) throw translateSqliteError(error, path);
    throw new UserError(
      'store_open_failed',
      `cannot use ${path} as a Baton database: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Writes the WAL file out to the size at which it restarts (see {@link prewriteWal}), under
 * the write lock. Only for `FULL`: a `NORMAL` commit does not fsync, so the growth costs it
 * nothing measurable. An optimisation only: a file that cannot be written (a full disk, say)
 * is left as it is and its commits grow it as before.
 */
function writeWalOut(db: Database.Database, path: string, immediate: SqliteConnection['immediate']): void {
  const pages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  try {
    // The file SQLite opened (a symlinked database's WAL is named after its target).
    const [main] = db.pragma('database_list') as { file: string }[];
    const file = main?.file || path;
    immediate(() => prewriteWal(`${file}-wal`, walBytes(pages, pageSize)));
  } catch {
    // Nothing is lost: the WAL's frames were not touched, later commits just grow the file.
  }
}
