import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { loadConfig } from './load-config.js';
import { SETTINGS } from './settings.js';

function usageError(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('loadConfig', () => {
  it('takes a flag over its variable, the variable over the default', () => {
    expect(loadConfig({ env: {} }).leaseTtl).toBe(30_000);
    expect(loadConfig({ env: { BATON_LEASE_TTL_MS: '500' } }).leaseTtl).toBe(500);
    const both = loadConfig({ env: { BATON_LEASE_TTL_MS: '500' }, flags: { leaseTtl: 700 } });
    expect(both.leaseTtl).toBe(700);
    expect(both.sources).toMatchObject({ leaseTtl: 'flag', db: 'default' });
    expect(loadConfig({ env: { BATON_DB: 'env.db' }, flags: { db: undefined } })).toMatchObject({
      db: 'env.db',
      sources: { db: 'env' },
    });
  });

  it('counts an empty variable as unset', () => {
    expect(loadConfig({ env: { BATON_LEASE_TTL_MS: '', BATON_DB: ' ' } })).toMatchObject({
      leaseTtl: 30_000,
      db: join('.baton', 'baton.db'),
    });
  });

  it('refuses an unusable variable with one usage error naming it, under the code it always had', () => {
    const ttl = usageError(() => loadConfig({ env: { BATON_LEASE_TTL_MS: 'soon' } }));
    expect(ttl.code).toBe('invalid_lease_ttl');
    expect(ttl.message).toBe('BATON_LEASE_TTL_MS must be an integer >= 100 (got "soon")');
    expect(usageError(() => loadConfig({ env: { BATON_LEASE_TTL_MS: '5' } })).message).toMatch(
      /BATON_LEASE_TTL_MS/,
    );
    expect(usageError(() => loadConfig({ env: { BATON_SQLITE_SYNCHRONOUS: 'OFF' } })).code).toBe(
      'invalid_option',
    );
    expect(usageError(() => loadConfig({ env: { BATON_PG_POOL_SIZE: 'many' } })).code).toBe('db_url_invalid');
    expect(loadConfig({ env: { BATON_SQLITE_SYNCHRONOUS: 'full' } }).sqliteSynchronous).toBe('FULL');
  });

  it('reads the bearer token and the basic credentials the --auth mode needs', () => {
    expect(loadConfig({ env: {} }).authOptions).toEqual({ mode: 'none' });
    expect(loadConfig({ env: { BATON_API_TOKEN: 't' }, flags: { auth: 'bearer' } }).authOptions).toEqual({
      mode: 'bearer',
      token: 't',
    });
    const basic = loadConfig({
      env: { BATON_BASIC_USER: 'u', BATON_BASIC_PASSWORD: 'p' },
      flags: { auth: 'basic' },
    });
    expect(basic.authOptions).toEqual({ mode: 'basic', username: 'u', password: 'p' });
  });

  it('reads the admin token under either mode and refuses one equal to the API token', () => {
    const env = {
      BATON_API_TOKEN: 't',
      BATON_ADMIN_TOKEN: 'a',
      BATON_BASIC_USER: 'u',
      BATON_BASIC_PASSWORD: 'p',
    };
    expect(loadConfig({ env, flags: { auth: 'bearer' } }).authOptions).toEqual({
      mode: 'bearer',
      token: 't',
      adminToken: 'a',
    });
    expect(loadConfig({ env, flags: { auth: 'basic' } }).authOptions).toMatchObject({ adminToken: 'a' });
    expect(
      loadConfig({ env: { ...env, BATON_ADMIN_TOKEN: 'a' }, flags: { auth: 'none' } }).authOptions,
    ).toEqual({
      mode: 'none',
    });
    const same = usageError(() =>
      loadConfig({ env: { ...env, BATON_ADMIN_TOKEN: 't' }, flags: { auth: 'bearer' } }),
    );
    expect(same).toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('BATON_ADMIN_TOKEN'),
    });
  });

  it('refuses to start an --auth mode without the variable it needs, naming it', () => {
    const bearer = usageError(() => loadConfig({ env: { BATON_API_TOKEN: '' }, flags: { auth: 'bearer' } }));
    expect(bearer).toMatchObject({
      code: 'missing_secret',
      message: expect.stringContaining('BATON_API_TOKEN'),
    });
    expect(
      usageError(() => loadConfig({ env: { BATON_BASIC_USER: 'u' }, flags: { auth: 'basic' } })).message,
    ).toMatch(/BATON_BASIC_PASSWORD/);
  });

  it('finds the Baton home in BATON_HOME, else beside a SQLite database, else in .baton', () => {
    expect(loadConfig({ env: { BATON_HOME: 'home', BATON_DB: 'x/baton.db' } }).home).toBe(resolve('home'));
    expect(loadConfig({ env: {}, flags: { db: 'data/b.db' } }).home).toBe(resolve('data'));
    expect(loadConfig({ env: { BATON_DB: 'postgres://db/app' } }).home).toBe(resolve('.baton'));
    expect(loadConfig({ env: {} }).home).toBe(resolve('.baton'));
  });

  it('passes the environment it was given down, and looks no variable up anywhere else', () => {
    const env = { OPENAI_API_KEY: 'k' };
    expect(loadConfig({ env }).env).toBe(env);
  });
});

describe('the configuration table', () => {
  it('names every BATON_* variable the sources mention', () => {
    const variables = new Set(Object.values(SETTINGS).flatMap((spec) => ('env' in spec ? [spec.env] : [])));
    const mentioned = new Set<string>();
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
          for (const [name] of readFileSync(path, 'utf8').matchAll(/BATON_[A-Z][A-Z0-9_]*/g))
            mentioned.add(name);
        }
      }
    };
    visit(resolve('src'));
    expect([...mentioned].filter((name) => !variables.has(name as `BATON_${string}`)).sort()).toEqual([]);
  });

  it('keeps each flag under the name commander gives it', () => {
    for (const [name, spec] of Object.entries(SETTINGS)) {
      if (!('flag' in spec)) continue;
      const long = /--(?:no-)?([a-z-]+)/.exec(spec.flag.syntax)?.[1] ?? '';
      expect(long.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())).toBe(name);
    }
  });
});
