// SQLite facts the benches read from outside the connection that writes.
import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The modification time of the SQLite database file at `file` (0 while it does not exist).
 * In WAL mode a commit writes only the `-wal` file; the main file is written by a checkpoint
 * (and by schema creation before a run), so a change between two step marks means a WAL
 * checkpoint ran during that step. better-sqlite3 has no checkpoint hook, and the WAL
 * header's checkpoint counter cannot tell who ran a checkpoint or when; this can, to the step.
 */
export function databaseWrittenAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * A fresh SQLite file per run and its checkpoint probe. Closing a connection checkpoints, so
 * the probe is frozen just before the close: that checkpoint is not on any step's path.
 */
export class SqliteFileProbe {
  private runs = 0;
  private current = '';
  private frozen: number | undefined;

  constructor(private readonly directory: string) {}

  /** The next run's file. */
  next(): string {
    this.runs += 1;
    this.frozen = undefined;
    this.current = join(this.directory, `run-${this.runs}.db`);
    return this.current;
  }

  freeze(): void {
    this.frozen = databaseWrittenAt(this.current);
  }

  probe(): number {
    return this.frozen ?? databaseWrittenAt(this.current);
  }
}
