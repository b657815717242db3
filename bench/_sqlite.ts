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

/** What a store's background checkpoint thread has done (`SqliteStore.backgroundCheckpoints`). */
export interface BackgroundCheckpoints {
  completed: number;
  ticks: number;
}

/**
 * A fresh SQLite file per run and its checkpoint probe. Closing a connection checkpoints, so
 * the probe is frozen just before the close: that checkpoint is not on any step's path. A
 * write of the main file while the store's background thread was checkpointing (or had
 * started or ended a checkpoint since the last probe) is that thread's, not the step's: the
 * probe's value only changes for a checkpoint that ran in a commit.
 */
export class SqliteFileProbe {
  private runs = 0;
  private current = '';
  private frozen: number | undefined;
  private background: () => BackgroundCheckpoints = () => ({ completed: 0, ticks: 0 });
  private last = { writtenAt: 0, ticks: 0 };
  private onStepPath = 0;
  private backgroundAtStart = 0;

  constructor(private readonly directory: string) {}

  /** The next run's file. */
  next(): string {
    this.runs += 1;
    this.frozen = undefined;
    this.current = join(this.directory, `run-${this.runs}.db`);
    this.last = { writtenAt: databaseWrittenAt(this.current), ticks: 0 };
    return this.current;
  }

  /** Where the current run's store says what its background checkpoint thread did. */
  watch(background: () => BackgroundCheckpoints): void {
    this.background = background;
    this.backgroundAtStart = background().completed;
  }

  freeze(): void {
    this.frozen = databaseWrittenAt(this.current);
  }

  /** Background checkpoints of the current run so far. */
  backgroundCheckpoints(): number {
    return this.background().completed - this.backgroundAtStart;
  }

  probe(): number {
    const { ticks } = this.background();
    const writtenAt = this.frozen ?? databaseWrittenAt(this.current);
    const explained = ticks !== this.last.ticks || ticks % 2 === 1 || this.last.ticks % 2 === 1;
    if (writtenAt !== this.last.writtenAt && !explained) this.onStepPath += 1;
    this.last = { writtenAt, ticks };
    return this.onStepPath;
  }
}
