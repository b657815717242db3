import { expect, it } from 'vitest';
import type { MarkStore } from '../../store/mark-store.js';

/** Marks: set once (the second put says so), scoped, listed sorted, removable. */
export function markContract(store: () => MarkStore): void {
  it('sets a mark once, per scope, and lists and removes marks', async () => {
    expect(await store().putMark('scope-a', 'k2')).toBe(true);
    expect(await store().putMark('scope-a', 'k2')).toBe(false);
    expect(await store().putMark('scope-a', 'k1')).toBe(true);
    expect(await store().putMark('scope-b', 'k2')).toBe(true);
    expect(await store().listMarks('scope-a')).toEqual(['k1', 'k2']);
    await store().deleteMark('scope-a', 'k2');
    await store().deleteMark('scope-a', 'absent');
    expect(await store().listMarks('scope-a')).toEqual(['k1']);
    expect(await store().listMarks('scope-b')).toEqual(['k2']);
    expect(await store().putMark('scope-a', 'k2')).toBe(true);
  });

  it('lets exactly one of many concurrent puts of one mark win', async () => {
    const wins = await Promise.all(Array.from({ length: 8 }, () => store().putMark('race', 'one')));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
}
