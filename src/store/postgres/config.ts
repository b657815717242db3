import type { PoolConfig } from 'pg';
import type { Environment } from '../../core/environment.js';
import { PostgresStoreError } from './errors.js';

/** Options of {@link openPostgresStore}; each one wins over the matching URL parameter. */
export interface PostgresStoreOptions {
  /** Connections in the pool (default 10; the CLI's `BATON_PG_POOL_SIZE`). The LISTEN connection is extra. */
  poolSize?: number;
  /** Schema holding Baton's tables (default: the URL's `?schema=`, else `public`); created on open. */
  schema?: string;
  /** How long to wait for a new connection before failing with `db_unavailable`, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Reported in `pg_stat_activity.application_name` (default `baton`). */
  applicationName?: string;
  /** Called when a subscriber throws or the LISTEN connection drops; the store keeps going either way. */
  onError?: (error: unknown) => void;
  /**
   * The environment whose `PGHOST` lets a URL name no host (the driver takes the host from it);
   * default none, so such a URL is refused.
   */
  env?: Environment;
}

/** Everything the store needs to connect, resolved from a URL and options. */
export interface ResolvedPostgresConfig {
  pool: PoolConfig;
  /** Settings for the dedicated LISTEN connection (the pool's, with no pool limits). */
  client: PoolConfig;
  schema: string;
  poolSize: number;
  /** The URL without its password, safe for error messages. */
  target: string;
}

// A plain identifier, folded to lower case as Postgres folds unquoted names (search_path
// does too); at most 50 characters, so the NOTIFY channel `baton_events.<schema>` fits in
// Postgres's 63-byte identifiers.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;
const DEFAULT_POOL_SIZE = 10;

function invalid(message: string): PostgresStoreError {
  return new PostgresStoreError('db_url_invalid', message);
}

/** A pool size between 1 and 1000; unset or empty is the default 10; else `db_url_invalid` naming `source`. */
export function parsePoolSize(value: number | string | undefined, source: string): number {
  if (value === undefined || value === '') return DEFAULT_POOL_SIZE;
  const size = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw invalid(`${source} must be an integer between 1 and 1000, got ${JSON.stringify(value)}`);
  }
  return size;
}

/** The URL with its password replaced by `***`. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/**
 * Parses `postgres://user:password@host:port/database?schema=name&...`. The schema comes from
 * `options.schema`, else `?schema=`, else a `search_path` in the URL's `options=-c search_path=name`
 * parameter, else `public`; it is applied to every connection through `search_path`, so several
 * Baton deployments (or test files) can share one database. Other parameters are the driver's.
 */
export function resolvePostgresConfig(
  url: string,
  options: PostgresStoreOptions = {},
): ResolvedPostgresConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('the database URL is malformed (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(`the database URL must start with postgres:// or postgresql://, got ${parsed.protocol}//`);
  }
  if (!parsed.hostname && !parsed.searchParams.get('host') && !options.env?.PGHOST) {
    throw invalid('the database URL names no host');
  }
  const target = redactUrl(parsed);
  // The driver lets the URL's parameters win over the config object, so Baton takes `schema`
  // and `options` out of the URL and passes them explicitly.
  const urlOptions = parsed.searchParams.get('options') ?? '';
  parsed.searchParams.delete('options');
  const urlSchema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const searchPathSetting = /-c\s*search_path=([^\s]*)/.exec(urlOptions);
  const named = options.schema ?? urlSchema ?? searchPathSetting?.[1] ?? 'public';
  if (!SCHEMA_NAME.test(named)) {
    throw invalid(
      `schema ${JSON.stringify(named)} must be a plain identifier (letters, digits, _; at most 50 characters)`,
    );
  }
  const schema = named.toLowerCase();
  const poolSize = parsePoolSize(options.poolSize, 'poolSize');
  const otherOptions = urlOptions.replace(searchPathSetting?.[0] ?? '', '').trim();
  const connection: PoolConfig = {
    connectionString: parsed.href,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'baton',
    keepAlive: true,
    options: [otherOptions, `-c search_path=${schema}`].filter((part) => part !== '').join(' '),
  };
  return { pool: { ...connection, max: poolSize }, client: connection, schema, poolSize, target };
}
