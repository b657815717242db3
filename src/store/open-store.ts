import { isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import { MemoryStore } from './memory/memory-store.js';
import { type PostgresStoreOptions, parsePoolSize } from './postgres/config.js';
import type { SqliteStoreOptions, SqliteSynchronous } from './sqlite/sqlite-connection.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions extends SqliteStoreOptions {
  /** Base for relative paths and the default `.baton/baton.db`; default `process.cwd()`. */
  cwd?: string;
  /**
   * An environment to take `BATON_DB`, `BATON_SQLITE_SYNCHRONOUS` and `BATON_PG_POOL_SIZE` from
   * when neither the spec nor the options set them (and `PGHOST` for a URL naming no host);
   * default none. The CLI passes each of them explicitly instead.
   */
  env?: Environment;
  /** Passed to the Postgres store for `postgres://` specs. */
  postgres?: PostgresStoreOptions;
}

/** Where the embedded store lives when neither `--db` nor `BATON_DB` says otherwise. */
export const DEFAULT_DB_PATH = join('.baton', 'baton.db');

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Opens the store a spec names. The spec is `--db`'s value; without one, `env.BATON_DB`;
 * without that, `.baton/baton.db` under the working directory (created on demand).
 * `postgres://` / `postgresql://` URLs open the Postgres store (loaded only then, so SQLite
 * users never load `pg`); `:memory:` or `memory:` give a fresh in-memory store; anything else
 * is a SQLite file path. A SQLite file commits with `options.synchronous`, else
 * `env.BATON_SQLITE_SYNCHRONOUS` (`NORMAL` or `FULL`), else `NORMAL`.
 */
export async function openStore(spec?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { cwd = process.cwd(), env = {}, postgres, ...sqlite } = options;
  const chosen = nonEmpty(spec) ?? nonEmpty(env.BATON_DB) ?? DEFAULT_DB_PATH;
  if (chosen === ':memory:' || chosen === 'memory:') return new MemoryStore();
  const scheme = URL_SCHEME.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { openPostgresStore } = await import('./postgres/open-postgres-store.js');
    const poolSize = postgres?.poolSize ?? parsePoolSize(env.BATON_PG_POOL_SIZE, 'BATON_PG_POOL_SIZE');
    return openPostgresStore(chosen, { env, ...postgres, poolSize });
  }
  if (scheme !== undefined) {
    throw new UserError(
      'unsupported_store',
      `unsupported database ${JSON.stringify(`${scheme}://...`)}: use a SQLite file path, postgres://... or :memory:`,
    );
  }
  const synchronous = sqlite.synchronous ?? parseSqliteSynchronous(env.BATON_SQLITE_SYNCHRONOUS);
  return new SqliteStore(isAbsolute(chosen) ? chosen : resolve(cwd, chosen), {
    ...sqlite,
    ...(synchronous && { synchronous }),
  });
}

/** `NORMAL` or `FULL` in any case (`BATON_SQLITE_SYNCHRONOUS`); unset or empty is undefined. */
export function parseSqliteSynchronous(raw: string | undefined): SqliteSynchronous | undefined {
  const value = nonEmpty(raw)?.trim().toUpperCase();
  if (value === undefined || value === 'NORMAL' || value === 'FULL') return value;
  throw new UserError('invalid_option', 'BATON_SQLITE_SYNCHRONOUS must be NORMAL or FULL');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
