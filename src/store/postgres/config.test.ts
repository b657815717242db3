import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePoolSize, resolvePostgresConfig } from './config.js';
import { PostgresStoreError } from './errors.js';

function errorOf(action: () => unknown): PostgresStoreError {
  try {
    action();
  } catch (error) {
    if (error instanceof PostgresStoreError) return error;
    throw error;
  }
  throw new Error('expected a PostgresStoreError');
}

describe('resolvePostgresConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('selects the schema from ?schema= and applies it through search_path', () => {
    const config = resolvePostgresConfig(
      'postgres://u:secret@db.example:5433/app?schema=tenant_1&sslmode=disable',
    );
    expect(config.schema).toBe('tenant_1');
    expect(config.pool.options).toBe('-c search_path=tenant_1');
    expect(config.pool.connectionString).toBe('postgres://u:secret@db.example:5433/app?sslmode=disable');
    expect(config.target).toBe('postgres://u:***@db.example:5433/app?schema=tenant_1&sslmode=disable');
  });

  it('takes the schema from a search_path in the URL options and keeps the other options', () => {
    const url = `postgresql://db/app?options=${encodeURIComponent('-c statement_timeout=5000 -c search_path=other')}`;
    const config = resolvePostgresConfig(url);
    expect(config.schema).toBe('other');
    expect(config.pool.options).toBe('-c statement_timeout=5000 -c search_path=other');
  });

  it('folds a schema name to lower case, as Postgres folds unquoted names', () => {
    const config = resolvePostgresConfig('postgres://db/app?schema=Tenant_A');
    expect(config.schema).toBe('tenant_a');
    expect(config.pool.options).toBe('-c search_path=tenant_a');
  });

  it('defaults to the public schema and a pool of 10, and lets options win', () => {
    expect(resolvePostgresConfig('postgres://db/app')).toMatchObject({ schema: 'public', poolSize: 10 });
    const config = resolvePostgresConfig('postgres://db/app?schema=a', { schema: 'b', poolSize: 3 });
    expect(config).toMatchObject({ schema: 'b', poolSize: 3, pool: { max: 3 } });
  });

  it('takes the pool size from its options only, never from BATON_PG_POOL_SIZE in the process', () => {
    vi.stubEnv('BATON_PG_POOL_SIZE', '4');
    expect(resolvePostgresConfig('postgres://db/app').pool.max).toBe(10);
    expect(resolvePostgresConfig('postgres://db/app', { poolSize: 4 }).pool.max).toBe(4);
    expect(parsePoolSize('4', 'BATON_PG_POOL_SIZE')).toBe(4);
    const error = errorOf(() => parsePoolSize('many', 'BATON_PG_POOL_SIZE'));
    expect(error.code).toBe('db_url_invalid');
    expect(error.message).toContain('BATON_PG_POOL_SIZE');
  });

  it('accepts a URL naming no host only when the env it is given has PGHOST', () => {
    vi.stubEnv('PGHOST', '127.0.0.1');
    expect(errorOf(() => resolvePostgresConfig('postgres:///app')).code).toBe('db_url_invalid');
    expect(resolvePostgresConfig('postgres:///app', { env: { PGHOST: '127.0.0.1' } }).schema).toBe('public');
  });

  it('rejects malformed URLs, other protocols and unsafe schema names with db_url_invalid', () => {
    for (const url of [
      'not a url',
      'mysql://db/app',
      'postgres://db/app?schema=a;drop',
      `postgres://db/app?schema=${'s'.repeat(51)}`,
      'postgres:///app',
    ]) {
      const error = errorOf(() => resolvePostgresConfig(url));
      expect(error.code).toBe('db_url_invalid');
    }
    expect(errorOf(() => resolvePostgresConfig('postgres://db/app', { poolSize: 0 })).code).toBe(
      'db_url_invalid',
    );
  });

  it('never puts the password into an error message', () => {
    const error = errorOf(() => resolvePostgresConfig('postgres://u:hunter2@db/app?schema=bad-name'));
    expect(error.message).not.toContain('hunter2');
  });
});
