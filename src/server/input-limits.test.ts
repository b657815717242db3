import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, findUnstorableText, isStorableText } from './input-limits.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, not brackets inside strings or after escaped quotes', () => {
    expect(exceedsJsonDepth(bytes('{"a":[1]}'), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":[[1]]}'), 2)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":"[[[[[[{{{{"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":"\\"[[[[","b":"\\\\"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('["é[",{"ü":[]}]'), 3)).toBe(false);
  });

  it('allows 64 levels by default and refuses 65', () => {
    expect(exceedsJsonDepth(bytes(`${'['.repeat(64)}${']'.repeat(64)}`))).toBe(false);
    expect(exceedsJsonDepth(bytes(`${'['.repeat(65)}${']'.repeat(65)}`))).toBe(true);
  });
});

describe('findUnstorableText', () => {
  it('finds NUL and unpaired surrogates in strings and keys, and names where', () => {
    expect(findUnstorableText({ a: ['ok', 'x\u0000'] })).toBe('a.1');
    expect(findUnstorableText({ 'k\ud800': 1 })).toBe('k\ud800');
    expect(findUnstorableText('\udc00')).toBe('');
    expect(findUnstorableText({ a: { b: 'fine 😀', c: [1, true, null] } })).toBeUndefined();
  });

  it('walks a deep value without recursion', () => {
    let deep: unknown = 'bad\u0000';
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(findUnstorableText(deep)).toMatch(/^0(\.0)*$/);
  });

  it('keeps paired surrogates (emoji) and other control characters', () => {
    expect(isStorableText('😀 tab\t line\n \u0001')).toBe(true);
    expect(isStorableText('\ud83d')).toBe(false);
  });
});
