import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { MemoryStore } from './memory/memory-store.js';
import type { PostgresStoreOptions } from './postgres/config.js';
import type { SqliteStoreOptions, SqliteSynchronous } from './sqlite/sqlite-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions extends SqliteStoreOptions {
  /** Base for relative paths and the default `.baton/baton.db`; default `process.cwd()`. */
  cwd?: string;
  /** Environment read for `BATON_DB` and `BATON_SQLITE_SYNCHRONOUS`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Passed to the Postgres store for `postgres://` specs. */
  postgres?: PostgresStoreOptions;
}

/** Where the embedded store lives when neither `--db` nor `BATON_DB` says otherwise. */
export const DEFAULT_DB_PATH = join('.baton', 'baton.db');

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Opens the store a spec names. The spec is `--db`'s value; without one, `BATON_DB`; without
 * that, `.baton/baton.db` under the working directory (created on demand).
 * `postgres://` / `postgresql://` URLs open the Postgres store (loaded only then, so SQLite
 * users never load `pg`); `:memory:` or `memory:` give a fresh in-memory store; anything else
 * is a SQLite file path. A SQLite file commits with `options.synchronous`, else
 * `BATON_SQLITE_SYNCHRONOUS` (`NORMAL` or `FULL`), else `NORMAL`, so the CLI can choose
 * power-loss safety without a flag on every command.
 */
export async function openStore(spec?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { cwd = process.cwd(), env = process.env, postgres, ...sqlite } = options;
  const chosen = nonEmpty(spec) ?? nonEmpty(env.BATON_DB) ?? DEFAULT_DB_PATH;
  if (chosen === ':memory:' || chosen === 'memory:') return new MemoryStore();
  const scheme = URL_SCHEME.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { openPostgresStore } = await import('./postgres/open-postgres-store.js');
    return openPostgresStore(chosen, postgres);
  }
  if (scheme !== undefined) {
    throw new UserError(
      'unsupported_store',
      `unsupported database ${JSON.stringify(`${scheme}://...`)}: use a SQLite file path, postgres://... or :memory:`,
    );
  }
  const synchronous = sqlite.synchronous ?? synchronousFromEnv(env.BATON_SQLITE_SYNCHRONOUS);
  return new SqliteStore(isAbsolute(chosen) ? chosen : resolve(cwd, chosen), {
    ...sqlite,
    ...(synchronous && { synchronous }),
  });
}

function synchronousFromEnv(raw: string | undefined): SqliteSynchronous | undefined {
  const value = nonEmpty(raw)?.trim().toUpperCase();
  if (value === undefined || value === 'NORMAL' || value === 'FULL') return value;
  throw new UserError('invalid_option', 'BATON_SQLITE_SYNCHRONOUS must be NORMAL or FULL');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
