import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

// No error is swallowed silently in the library: a catch that drops an error either says in a
// comment why that is expected, or reports it (to the logger it was given, an onError hook, or
// by throwing something more precise).

function sources(dir = join(REPO_ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const COMMENT = /^\s*(\/\/|\*|\/\*)/;
// `.catch(() => undefined)` and the like: the error is replaced by a constant.
const DROPPING_CATCH = /\.catch\(\s*\(\)\s*=>\s*(undefined|null|false|''|\[\][^)]*|\{\s*\})\s*,?\s*\)?/;

/** The places that drop an error without a comment saying why, as `path:line`. */
function silentCatches(): string[] {
  const found: string[] = [];
  for (const path of sources()) {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      const explained = lines.slice(Math.max(0, index - 3), index).some((before) => COMMENT.test(before));
      const where = `${relative(REPO_ROOT, path)}:${index + 1}`;
      if (DROPPING_CATCH.test(line) && !explained && !line.includes('//')) found.push(where);
      // `catch {` binds nothing: whatever it does, the error itself is dropped.
      if (/\bcatch\s*\{\s*$/.test(line)) {
        const next = lines.slice(index + 1).find((candidate) => candidate.trim() !== '') ?? '';
        if (!COMMENT.test(next) && !/^\s*throw\b/.test(next)) found.push(where);
      }
    });
  }
  return found;
}

describe('caught errors', () => {
  it('are never dropped without a comment saying why', () => {
    expect(silentCatches()).toEqual([]);
  });
});
