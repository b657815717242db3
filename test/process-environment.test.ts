import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

// The library reads no environment: the CLI reads it at its edge (src/cli/main.ts), builds one
// configuration (src/config) and passes `env` down. In the library, only public entry points
// may default an `env` they were not given to the process environment, through the one helper
// src/config/process-environment.ts; deep modules take `env` from their caller.

const SRC = join(REPO_ROOT, 'src');

/** Every non-test source file under src/, by path relative to the repository. */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(REPO_ROOT, path)] : [];
  });
}

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** The public entry points that default `env` / `hostEnv` to the process environment. */
const DEFAULTING_ENTRY_POINTS = [
  'src/baton-runtime.ts',
  'src/delegation/task-service.ts',
  'src/governed/pull.ts',
  'src/governed/start-governed.ts',
  'src/handoff/disclosure.ts',
  'src/workspace/capture.ts',
  'src/workspace/restore.ts',
  'src/workspace/sandbox/policy.ts',
];

describe('the process environment', () => {
  it('is named by no library source outside src/cli and src/config', () => {
    const readers = sources().filter(
      (path) => read(path).includes('process.env') && !/^src\/(cli\/|config)/.test(path),
    );
    expect(readers).toEqual([]);
  });

  it('is read by the CLI only where it starts, in src/cli/main.ts', () => {
    // `baton init`'s templates are the text of a user's agent file, which reads its own env.
    const templates = 'src/cli/init/templates.ts';
    const readers = sources().filter(
      (path) => path.startsWith('src/cli/') && path !== templates && read(path).includes('process.env'),
    );
    expect(readers).toEqual(['src/cli/main.ts']);
  });

  it('is the default env of public entry points only', () => {
    const importers = sources().filter((path) => read(path).includes('config/process-environment.js'));
    expect(importers.sort()).toEqual(DEFAULTING_ENTRY_POINTS);
  });
});
