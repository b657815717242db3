import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServeProcess } from './serve-process.js';
import { startServeProcess } from './serve-process.js';

/**
 * Serves `agentsDir` with `baton serve` on a fresh SQLite file for the enclosing suite (started
 * before its tests, stopped and cleaned up after); `url()` is the server's address.
 */
export function serveAgentsForSuite(agentsDir: string, tmpPrefix: string): { url(): string } {
  let dir: string;
  let server: ServeProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), tmpPrefix));
    server = await startServeProcess(['--agents', agentsDir, '--db', join(dir, 'baton.db'), '--port', '0']);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: () => server.url };
}
