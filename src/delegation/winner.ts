import { ValidationError } from '../core/errors.js';

/** How a fan-out picks its winner among the candidates that pass validation. */
export type SelectionStrategy = 'highest-score' | 'smallest-diff' | 'highest-readiness' | 'first-approved';

/** All strategies, for schemas. */
export const SELECTION_STRATEGIES = [
  'highest-score',
  'smallest-diff',
  'highest-readiness',
  'first-approved',
] as const;

/** A reviewer's verdict on a candidate patch. `readiness` is 0..1. */
export interface Review {
  approved: boolean;
  recommendation: string;
  readiness: number;
  notes: string;
}

/** What selection reads from a candidate. */
export interface SelectableCandidate {
  variant: number;
  passed: boolean;
  diffLines: number;
  /** Order in which the candidate finished (0 = first). */
  finishedOrder: number;
  review?: Review;
}

/**
 * A passing candidate's score in 0..1: without a reviewer 1; with one, its readiness, halved
 * when it did not approve. Ties go to the smaller diff, then the lower variant.
 */
export function candidateScore(candidate: SelectableCandidate): number {
  if (!candidate.review) return 1;
  return candidate.review.approved ? candidate.review.readiness : candidate.review.readiness / 2;
}

/** Rejects strategies that cannot work with the given set-up (e.g. `highest-readiness` without a reviewer). */
export function assertSelectable(strategy: SelectionStrategy, hasReviewer: boolean): void {
  if (strategy === 'highest-readiness' && !hasReviewer) {
    throw new ValidationError('selection "highest-readiness" needs a reviewer', 'selection');
  }
}

type Comparator = (a: SelectableCandidate, b: SelectableCandidate) => number;

const bySmallerDiff: Comparator = (a, b) => a.diffLines - b.diffLines || a.variant - b.variant;

const COMPARATORS: Record<SelectionStrategy, Comparator> = {
  'highest-score': (a, b) => candidateScore(b) - candidateScore(a) || bySmallerDiff(a, b),
  'smallest-diff': bySmallerDiff,
  'highest-readiness': (a, b) =>
    (b.review?.readiness ?? 0) - (a.review?.readiness ?? 0) || a.variant - b.variant,
  'first-approved': (a, b) => a.finishedOrder - b.finishedOrder,
};

/** A candidate is approved when it passed and its reviewer (if any) approved it. */
export function isApproved(candidate: SelectableCandidate): boolean {
  return candidate.passed && (candidate.review?.approved ?? true);
}

/** The winning candidate's variant, or undefined when none qualifies. */
export function selectWinner(
  candidates: readonly SelectableCandidate[],
  strategy: SelectionStrategy,
): number | undefined {
  const eligible = candidates.filter(
    strategy === 'first-approved' ? isApproved : (candidate) => candidate.passed,
  );
  return [...eligible].sort(COMPARATORS[strategy])[0]?.variant;
}
