import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand, collectProcess, REPO_ROOT } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** util-linux `script`: runs a command on a pseudo-terminal of its own. */
const hasScript = spawnSync('script', ['--version']).status === 0;
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

describe.skipIf(!hasScript)('baton run on a terminal', () => {
  it('shows a spinner while the model thinks and while an idempotent tool runs', async () => {
    const { command, args } = cliCommand([
      'run',
      'test/fixtures/agents/slow-lookups.ts',
      'go',
      '--db',
      join(dir, 'baton.db'),
    ]);
    const child = spawn('script', ['-qec', [command, ...args].map(quote).join(' '), '/dev/null'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stdout } = await collectProcess(child);
    expect(code).toBe(0);
    // Every model call and lookup takes a while, and the events that start them arrive once they
    // are done: the spinner comes from the commit before each.
    const firstLookup = stdout.indexOf('lookup {"city":"Paris"}');
    expect(firstLookup).toBeGreaterThan(0);
    expect(stdout.slice(0, firstLookup)).toMatch(/ thinking/);
    expect(stdout.slice(0, firstLookup)).toMatch(/running lookup/);
    expect(stdout).toMatch(/✔ succeeded/);
  });
});
