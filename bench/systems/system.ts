// What every system in the loop bench implements: Baton on each store and each peer framework
// run the same tool loop against an instant fake model, so only the frameworks differ.

/** Called by a system at the start of each model call; the bench times steps from these marks. */
export type StepMark = () => void;

/** Where a run's measured window starts and ends, when it is not the whole `run` call. */
export interface RunBounds {
  begun: StepMark;
  ended: StepMark;
}

/** Counters a system can expose; the bench samples them around each run. */
export interface Counters {
  /** Statements sent to Postgres (each one a round trip on node-postgres). */
  statements?: number;
  /** Transactions committed by the store's appends (SQLite: each one `BEGIN IMMEDIATE` … `COMMIT`). */
  transactions?: number;
}

/** One framework (or Baton on one store) ready to run the bench's tool loop. */
export interface LoopSystem {
  /**
   * One agent loop of `steps` model calls on a fresh session/thread/workflow: the first
   * `steps - 1` call the `step` tool, the last one answers. `mark` is called as each model
   * call starts. A system that opens a store file for this run (so each run's checkpoints can be
   * counted) calls `bounds.begun` once it is open and `bounds.ended` when the loop is done, before
   * closing it: creating and closing a database is once per process in a server, not per step.
   */
  run(steps: number, mark: StepMark, bounds: RunBounds): Promise<void>;
  counters?(): Counters;
  /**
   * For a system on a SQLite file: a value that changes when the main database file is
   * written by a checkpoint in a commit (in WAL mode only a checkpoint writes it, see
   * `databaseWrittenAt`; a background thread's checkpoints do not count). Read at each
   * step mark, so the bench can tell which steps a checkpoint landed in.
   */
  checkpointProbe?(): number;
  /** For a system that checkpoints in a thread of its own: that thread's checkpoints in the current run. */
  backgroundCheckpoints?(): number;
  close(): Promise<void>;
}

/** What the fake model does at call `index` (0-based) of a `steps`-call loop. */
export type Decision = { kind: 'tool'; input: { i: number } } | { kind: 'answer'; text: string };

/** The one script every system follows: call the tool until the last step, then answer. */
export function decide(index: number, steps: number): Decision {
  return index < steps - 1 ? { kind: 'tool', input: { i: index } } : { kind: 'answer', text: 'done' };
}

/** The tool every system runs: pure and instant, so the loop measures the framework only. */
export function stepTool({ i }: { i: number }): { i: number; ok: true } {
  return { i, ok: true };
}

/** Thrown when a system's run did not follow the script (wrong step count or status). */
export class BenchRunError extends Error {
  override readonly name = 'BenchRunError';
}
