import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteSynchronous } from './sqlite-connection.js';
import { prewriteWal, walBytes } from './wal-prewrite.js';

/**
 * The raw cost of one SQLite commit on this machine: empty `BEGIN IMMEDIATE`/`COMMIT`
 * transactions (each writing one tiny row, so the commit really reaches the WAL) on a temp
 * file in WAL mode with the given `synchronous` setting. Returns milliseconds per commit; the
 * floor a durable step's commits are compared against in benchmarks. `directory` picks the file
 * system to measure (default: the OS temp directory); the temp file is removed afterwards.
 * `writtenWal` writes the WAL file out first, as a `FULL` store does (see `prewriteWal`): its
 * commits overwrite blocks instead of growing the file, which costs an fsync'd one about half.
 */
export function sqliteCommitFloor(
  options: {
    synchronous?: SqliteSynchronous;
    iterations?: number;
    directory?: string;
    writtenWal?: boolean;
  } = {},
): number {
  const iterations = options.iterations ?? 1_000;
  const directory = mkdtempSync(join(options.directory ?? tmpdir(), 'baton-floor-'));
  const file = join(directory, 'floor.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)');
    const write = db.prepare('INSERT INTO floor (value) VALUES (?)');
    const commit = db.transaction((value: number) => write.run(value));
    if (options.writtenWal === true) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      // A frame per commit, with room to spare; under the write lock, as the store does it.
      db.transaction(() => prewriteWal(`${file}-wal`, walBytes(2 * iterations, pageSize))).immediate();
    }
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index += 1) commit.immediate(index);
    return Number(process.hrtime.bigint() - started) / 1e6 / iterations;
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
