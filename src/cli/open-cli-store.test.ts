import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { openCliStore } from './open-cli-store.js';

describe('openCliStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-store-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the store of BATON_DB with the commit level of BATON_SQLITE_SYNCHRONOUS', async () => {
    const path = join(dir, 'full.db');
    const config = loadConfig({ env: { BATON_DB: path, BATON_SQLITE_SYNCHRONOUS: 'full' } });
    const store = (await openCliStore(config)) as SqliteStore;
    try {
      expect({ path: store.path, synchronous: store.synchronous }).toEqual({ path, synchronous: 'FULL' });
    } finally {
      await store.close();
    }
  });
});
