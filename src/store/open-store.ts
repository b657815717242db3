import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { MemoryStore } from './memory/memory-store.js';
import type { PostgresStoreOptions } from './postgres/index.js';
import type { SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions extends SqliteStoreOptions {
  /** Base for relative paths and the default `.baton/baton.db`; default `process.cwd()`. */
  cwd?: string;
  /** Environment read for `BATON_DB`; default `process.env`. */
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
 * is a SQLite file path.
 */
export async function openStore(spec?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { cwd = process.cwd(), env = process.env, postgres, ...sqlite } = options;
  const chosen = nonEmpty(spec) ?? nonEmpty(env.BATON_DB) ?? DEFAULT_DB_PATH;
  if (chosen === ':memory:' || chosen === 'memory:') return new MemoryStore();
  const scheme = URL_SCHEME.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { openPostgresStore } = await import('./postgres/index.js');
    return openPostgresStore(chosen, postgres);
  }
  if (scheme !== undefined) {
    throw new UserError(
      'unsupported_store',
      `unsupported database ${JSON.stringify(`${scheme}://...`)}: use a SQLite file path, postgres://... or :memory:`,
    );
  }
  return new SqliteStore(isAbsolute(chosen) ? chosen : resolve(cwd, chosen), sqlite);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
