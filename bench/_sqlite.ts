// SQLite facts the benches read from outside the connection that writes.
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * How many times the WAL of the database at `file` has been reset so far: the checkpoint
 * sequence number in the WAL header (bytes 12–15, big-endian), which SQLite increments each
 * time a writer restarts the WAL after a checkpoint copied all of it back. better-sqlite3
 * exposes no checkpoint hook, so this is how a bench counts auto-checkpoints that landed on
 * the write path. Read it before the connection closes (closing checkpoints and deletes the WAL).
 */
export function walCheckpoints(file: string): number {
  let descriptor: number;
  try {
    descriptor = openSync(`${file}-wal`, 'r');
  } catch {
    return 0;
  }
  try {
    const header = Buffer.alloc(16);
    return readSync(descriptor, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(descriptor);
  }
}
