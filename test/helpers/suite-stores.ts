import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { Runtime, Store } from '../../src/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { dropSchema, schemaUrl, uniqueSchema } from './postgres.js';

/**
 * The real stores a suite runs on (`describe.each(Object.keys(stores))`): a fresh SQLite file
 * per call, or the suite's own Postgres schema. Runtimes passed to `track` are closed with their
 * stores after each test; the files and the schema go after the suite.
 */
export function suiteStores(
  name: string,
  options: { poolSize: number },
): { stores: Record<string, () => Promise<Store>>; track: (runtime: Runtime) => Runtime } {
  const dir = mkdtempSync(join(tmpdir(), `baton-${name}-`));
  const schema = uniqueSchema(name.replaceAll('-', '_'));
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) {
      await runtime.close();
      await runtime.store.close();
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });
  return {
    stores: {
      sqlite: async () => new SqliteStore(join(mkdtempSync(join(dir, 'db-')), 'baton.db')),
      postgres: () => openPostgresStore(schemaUrl(schema), { poolSize: options.poolSize }),
    },
    track: (runtime) => {
      runtimes.push(runtime);
      return runtime;
    },
  };
}
