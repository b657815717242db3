import type { RunStatus } from '../store/run-store.js';
import type { HandoffPatch, HandoffRun } from './handoff-run.js';

/** What a strategy sees of one finished attempt. */
export interface ReviewCandidate {
  run: HandoffRun;
  status: RunStatus;
  /** The run succeeded (its command exited 0) and recorded a non-empty patch. */
  passed: boolean;
  patch: HandoffPatch | null;
  /** Insertions plus deletions of the patch (0 without one). */
  diffLines: number;
}

/** One attempt's score card: null `score` means the strategy ruled it out. */
export interface Scorecard {
  runId: string;
  status: RunStatus;
  passed: boolean;
  diffLines: number;
  score: number | null;
}

/** Scores candidates; the highest score wins, ties go to the earlier attempt. */
export interface ReviewStrategy {
  name: string;
  score(candidate: ReviewCandidate): number | null | Promise<number | null>;
}

/** What `review` returns: the winning run (null when every attempt was ruled out) and every score card. */
export interface ReviewResult {
  winner: HandoffRun | null;
  scorecards: Scorecard[];
}

/** The strategies of `review(runs, { choose })`. */
export const reviewStrategies = {
  /** The passing attempt with the smallest diff. */
  smallestDiff: (): ReviewStrategy => ({
    name: 'smallestDiff',
    score: (candidate) => (candidate.passed ? -candidate.diffLines : null),
  }),
  /** The first passing attempt. */
  passingChecks: (): ReviewStrategy => ({
    name: 'passingChecks',
    score: (candidate) => (candidate.passed ? 1 : null),
  }),
  /** Your own score (higher wins; null rules an attempt out). */
  scorecard: (score: ReviewStrategy['score']): ReviewStrategy => ({ name: 'scorecard', score }),
} as const;

/** Waits for each run, scores it with `choose` and picks the winner. */
export async function reviewRuns(
  runs: readonly HandoffRun[],
  choose: ReviewStrategy,
  options: { timeoutMs?: number } = {},
): Promise<ReviewResult> {
  const scorecards: Scorecard[] = [];
  let winner: { run: HandoffRun; score: number } | null = null;
  for (const run of runs) {
    const status = await run.wait(options);
    const patch = await run.patch();
    const diffLines = patch ? patch.insertions + patch.deletions : 0;
    const candidate: ReviewCandidate = {
      run,
      status,
      passed: status === 'succeeded' && patch !== null && patch.patchHash !== null,
      patch,
      diffLines,
    };
    const score = await choose.score(candidate);
    scorecards.push({ runId: run.runId, status, passed: candidate.passed, diffLines, score });
    if (score !== null && (winner === null || score > winner.score)) winner = { run, score };
  }
  return { winner: winner?.run ?? null, scorecards };
}
