import { EnvironmentError, errorMessage } from '../core/errors.js';

/**
 * The database file is damaged (SQLite reports `SQLITE_CORRUPT` or `SQLITE_NOTADB`, or a row
 * holds what no Baton wrote). Nothing Baton does can repair it: restore a backup. The CLI
 * exits 3 (an environment error) from every command, the worker included.
 */
export class StoreCorruptError extends EnvironmentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_corrupt', message, options);
  }
}

/** The error for a stored JSON value that does not parse: the file was damaged or edited. */
export function corruptJson(what: string, error: unknown): StoreCorruptError {
  return new StoreCorruptError(
    `the database is corrupt: ${what} is not valid JSON (${errorMessage(error)})`,
    {
      cause: error,
    },
  );
}
