import { describe, expect, it } from 'vitest';
import type { SelectableCandidate } from './winner.js';
import { assertSelectable, selectWinner } from './winner.js';

const review = (approved: boolean, readiness: number) => ({
  approved,
  readiness,
  recommendation: '',
  notes: '',
});

const candidates: SelectableCandidate[] = [
  { variant: 0, passed: true, diffLines: 30, finishedOrder: 2, review: review(true, 0.9) },
  { variant: 1, passed: true, diffLines: 5, finishedOrder: 1, review: review(false, 0.95) },
  { variant: 2, passed: false, diffLines: 1, finishedOrder: 0, review: review(true, 1) },
  { variant: 3, passed: true, diffLines: 12, finishedOrder: 3, review: review(true, 0.6) },
];

describe('selectWinner', () => {
  it('picks the smallest passing diff with smallest-diff', () => {
    expect(selectWinner(candidates, 'smallest-diff')).toBe(1);
  });

  it('picks the highest readiness with highest-readiness, ignoring failed candidates', () => {
    expect(selectWinner(candidates, 'highest-readiness')).toBe(1);
  });

  it('ranks approved candidates by readiness with highest-score', () => {
    expect(selectWinner(candidates, 'highest-score')).toBe(0);
  });

  it('breaks highest-score ties by the smaller diff without a reviewer', () => {
    const plain = candidates.map(({ review: _review, ...rest }) => rest);
    expect(selectWinner(plain, 'highest-score')).toBe(1);
  });

  it('picks the first candidate to finish that passed and was approved with first-approved', () => {
    expect(selectWinner(candidates, 'first-approved')).toBe(0);
  });

  it('returns undefined when no candidate passes', () => {
    expect(
      selectWinner([{ variant: 0, passed: false, diffLines: 1, finishedOrder: 0 }], 'smallest-diff'),
    ).toBeUndefined();
  });

  it('refuses highest-readiness without a reviewer', () => {
    expect(() => assertSelectable('highest-readiness', false)).toThrow(/needs a reviewer/);
    expect(() => assertSelectable('highest-readiness', true)).not.toThrow();
  });
});
