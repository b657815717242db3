import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { truthfulStateSuite } from './helpers/truthful-state.js';

truthfulStateSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-state-'));
  const spec = join(dir, 'baton.db');
  const store = new SqliteStore(spec);
  return {
    store,
    spec,
    async sql(statement, parameters) {
      const db = new Database(spec);
      try {
        db.prepare(statement.replace(/\$\d+/g, '?')).run(...parameters);
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
