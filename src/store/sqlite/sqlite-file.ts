import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, UserError } from '../../core/errors.js';
import { makeDirectories } from '../../core/make-directories.js';
import { StoreCorruptError } from '../store-corrupt.js';

/**
 * Opens the database file. A missing folder is created `0700` and a missing file `0600` before
 * SQLite opens it (SQLite gives its WAL and shared-memory files the database file's mode), so
 * no other local user can read sessions, tokens' hashes or repository bundles.
 */
export function openDatabaseFile(path: string, busyTimeoutMs: number): Database.Database {
  try {
    if (path !== ':memory:') {
      makeDirectories(dirname(path), 0o700);
      if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    }
    return new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new UserError('store_open_failed', `cannot open the database ${path}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** True for the driver's errors that mean the file is damaged or is not a database at all. */
export function isCorruptionError(error: unknown): boolean {
  if (!(error instanceof Database.SqliteError)) return false;
  return error.code.startsWith('SQLITE_CORRUPT') || error.code === 'SQLITE_NOTADB';
}

/** Corruption reported by the driver becomes one typed `store_corrupt` error; anything else is unchanged. */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (!isCorruptionError(error)) return error;
  return new StoreCorruptError(
    `the database ${path} is corrupt (${errorMessage(error)}); restore it from a backup`,
    { cause: error },
  );
}
