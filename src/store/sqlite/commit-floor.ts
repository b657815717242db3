import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteSynchronous } from './sqlite-store.js';

/**
 * The raw cost of one SQLite commit on this machine: empty `BEGIN IMMEDIATE`/`COMMIT`
 * transactions (each writing one tiny row, so the commit really reaches the WAL) on a temp
 * file in WAL mode with the given `synchronous` setting. Returns milliseconds per commit; the
 * floor a durable step's commits are compared against in benchmarks. `directory` picks the file
 * system to measure (default: the OS temp directory); the temp file is removed afterwards.
 */
export function sqliteCommitFloor(
  options: { synchronous?: SqliteSynchronous; iterations?: number; directory?: string } = {},
): number {
  const iterations = options.iterations ?? 1_000;
  const directory = mkdtempSync(join(options.directory ?? tmpdir(), 'baton-floor-'));
  const db = new Database(join(directory, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)');
    const write = db.prepare('INSERT INTO floor (value) VALUES (?)');
    const commit = db.transaction((value: number) => write.run(value));
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index += 1) commit.immediate(index);
    return Number(process.hrtime.bigint() - started) / 1e6 / iterations;
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
