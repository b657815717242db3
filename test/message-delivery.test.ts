import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageRaceSuite } from './helpers/message-race.js';

messageRaceSuite('SQLite', {
  db: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-race-db-'));
    return {
      spec: join(dir, 'baton.db'),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
