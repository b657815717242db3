import type { PostgresStoreOptions } from './config.js';
import { PostgresStore } from './postgres-store.js';

/**
 * Opens the PostgreSQL store (`baton-runtime/postgres`): connects a pool (`poolSize`, default
 * 10), runs pending migrations in the chosen schema (`?schema=` in the URL or `options.schema`), and starts listening for other processes' commits. Startup
 * failures reject with a {@link PostgresStoreError} whose `code` names the cause: `db_url_invalid`,
 * `db_auth_failed`, `db_not_found`, `db_permission_denied` or `db_unavailable`.
 */
export function openPostgresStore(url: string, options?: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(url, options);
}
