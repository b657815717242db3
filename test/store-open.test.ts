import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { openStore, UserError } from '../src/index.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';

describe('openStore', () => {
  let directory: string;
  const opened: Store[] = [];

  async function open(
    spec: string | undefined,
    env: Record<string, string | undefined> = {},
  ): Promise<Store> {
    const store = await openStore(spec, { cwd: directory, env });
    opened.push(store);
    return store;
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-open-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  it('defaults to .baton/baton.db under the working directory, creating the directory', async () => {
    const store = await open(undefined);
    expect(store).toBeInstanceOf(SqliteStore);
    expect((store as SqliteStore).path).toBe(join(directory, '.baton', 'baton.db'));
    expect(existsSync(join(directory, '.baton', 'baton.db'))).toBe(true);
  });

  it('takes BATON_DB when no spec is given, and the spec over BATON_DB', async () => {
    const fromEnv = await open(undefined, { BATON_DB: 'env.db' });
    expect((fromEnv as SqliteStore).path).toBe(join(directory, 'env.db'));
    const fromSpec = await open(join(directory, 'flag', 'flag.db'), { BATON_DB: 'env.db' });
    expect((fromSpec as SqliteStore).path).toBe(join(directory, 'flag', 'flag.db'));
    expect(existsSync(join(directory, 'flag', 'flag.db'))).toBe(true);
  });

  it('commits with synchronous NORMAL by default, FULL when BATON_SQLITE_SYNCHRONOUS says so, and refuses other levels', async () => {
    expect(((await open('normal.db')) as SqliteStore).synchronous).toBe('NORMAL');
    const full = await open('full.db', { BATON_SQLITE_SYNCHRONOUS: 'full' });
    expect((full as SqliteStore).synchronous).toBe('FULL');
    await expect(open('off.db', { BATON_SQLITE_SYNCHRONOUS: 'OFF' })).rejects.toThrow(
      /BATON_SQLITE_SYNCHRONOUS must be NORMAL or FULL/,
    );
  });

  it('opens an in-memory store for :memory: and memory:', async () => {
    expect(await open(':memory:')).toBeInstanceOf(MemoryStore);
    expect(await open(undefined, { BATON_DB: 'memory:' })).toBeInstanceOf(MemoryStore);
  });

  it('refuses a database URL of an unsupported kind', async () => {
    await expect(open('mysql://localhost/baton')).rejects.toBeInstanceOf(UserError);
  });

  it.skipIf(process.env.BATON_TEST_NO_POSTGRES === '1')(
    'opens the Postgres store for postgres:// URLs',
    async () => {
      const schema = `baton_open_${process.pid}_${Date.now()}`;
      const url = 'postgresql://postgres@127.0.0.1:5432/postgres';
      try {
        const store = await open(`${url}?schema=${schema}`);
        expect(store.kind).toBe('postgres');
        await store.createSession({ id: 'ses_pg', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
        expect((await store.getSession('ses_pg'))?.agent).toBe('a');
      } finally {
        await Promise.all(opened.splice(0).map((store) => store.close()));
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  );
});
