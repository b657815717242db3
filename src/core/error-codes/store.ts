import type { ErrorCodeEntry } from './error-code-entry.js';

/** Stores. */
export const STORE_ERROR_CODES = {
  append_conflict: {
    domain: 'store',
    status: 409,
    description:
      "a conditional append's condition no longer held (the head moved, the run changed status or exists)",
  },
  idempotency_key_taken: { domain: 'store', status: 409, description: 'the idempotency key is taken' },
  unsupported_store: {
    domain: 'store',
    status: 400,
    description: 'a database URL that is not a SQLite path, postgres:// or :memory:',
  },
  invalid_option: { domain: 'store', status: 400, description: 'a store option with an unusable value' },
  store_open_failed: { domain: 'store', status: 400, description: 'the SQLite store could not be opened' },
  schema_too_new: {
    domain: 'store',
    status: 400,
    description: 'the SQLite database was written by a newer Baton; upgrade Baton',
  },
  store_unavailable: {
    domain: 'store',
    status: 500,
    description: 'the store cannot be opened (the message says why)',
  },
  store_corrupt: {
    domain: 'store',
    status: 500,
    description: 'the database file is damaged; nothing Baton does can repair it: restore a backup',
  },
  db_url_invalid: {
    domain: 'store',
    status: 500,
    description: 'the postgres:// URL or a Postgres option is unusable',
  },
  db_auth_failed: { domain: 'store', status: 500, description: 'Postgres refused the credentials' },
  db_not_found: { domain: 'store', status: 500, description: 'the Postgres database does not exist' },
  db_permission_denied: {
    domain: 'store',
    status: 500,
    description: "the Postgres role lacks a permission Baton's schema needs",
  },
  db_unavailable: {
    domain: 'store',
    status: 500,
    description: 'Postgres is down or the connection was lost; operations fail until it is back',
  },
  db_schema_too_new: {
    domain: 'store',
    status: 500,
    description: 'the Postgres schema was migrated by a newer Baton; upgrade Baton',
  },
  db_error: {
    domain: 'store',
    status: 500,
    description: 'Postgres failed in a way not otherwise classified',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
