import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/core/events.js';
import { REPO_ROOT } from './helpers/cli.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('bin/baton.js', () => {
  it('runs the README example agent (TypeScript) through the package binary, built or not', () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-bin-'));
    directories.push(directory);
    const result = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'baton.js'),
        'run',
        'examples/hello.ts',
        'Weather?',
        '--json',
        '--db',
        join(directory, 'x.db'),
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.at(-1).type).toBe('run.completed');
    expect(verifyChain(events).ok).toBe(true);
  });
});
