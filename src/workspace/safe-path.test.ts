import { describe, expect, it } from 'vitest';
import { resolveLexically } from './safe-path.js';

describe('resolveLexically', () => {
  it('resolves paths inside the root', () => {
    expect(resolveLexically('/ws', 'src/../a.txt')).toBe('/ws/a.txt');
    expect(resolveLexically('/ws', '.')).toBe('/ws');
  });

  it('refuses absolute paths, climbing out and NUL bytes', () => {
    for (const path of ['/etc/passwd', '../x', 'a/../../x', 'a\0b']) {
      expect(() => resolveLexically('/ws', path), path).toThrow(
        expect.objectContaining({ code: 'path_escape' }),
      );
    }
  });

  it('does not confuse a sibling with the same prefix for the root', () => {
    expect(() => resolveLexically('/ws', '../ws-other/x')).toThrow(
      expect.objectContaining({ code: 'path_escape' }),
    );
  });
});
