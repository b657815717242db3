import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliResult } from './helpers/cli.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { createTempRepo } from './helpers/git-repo.js';

// One test per command against the one exit-code table: 0 success, 1 the work failed, 2 usage
// or configuration, 3 environment (store unreachable or corrupt, bwrap missing), 4 waiting for
// a person (no command can leave work waiting yet; src/cli/exit-codes.test.ts covers the mapping).

const dir = mkdtempSync(join(tmpdir(), 'baton-exit-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const db = join(dir, 'baton.db');
// A database file that is not a database: the store is corrupt.
const corrupt = join(dir, 'corrupt.db');
writeFileSync(corrupt, 'this is not a SQLite database, it only has the name of one\n'.repeat(100));
// A database under a regular file: the store cannot be created.
writeFileSync(join(dir, 'a-file'), '');
const unreachable = join(dir, 'a-file', 'baton.db');
const agent = (name: string) => resolve('test', 'fixtures', 'agents', `${name}.ts`);

/** The exit code, and the one stderr line an error leaves. */
function expectExit(result: CliResult, code: number, stderr?: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({
    code,
    stderr: stderr ? expect.stringMatching(stderr) : expect.any(String),
  });
}

describe('exit codes', () => {
  it('baton --version prints the package version and exits 0', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    const result = await runCli(['--version']);
    expectExit(result, 0);
    expect(result.stdout.trim()).toBe(version);
    expectExit(await runCli(['--no-such-flag']), 2);
  });

  it('baton run: 0 succeeded, 1 failed, 2 bad agent file, 3 store unusable', async () => {
    expectExit(await runCli(['run', agent('three-lookups'), 'go', '--db', db]), 0);
    const failed = await runCli(['run', agent('exhausted'), 'go', '--db', db]);
    expectExit(failed, 1);
    // Said once, in the summary.
    expect(failed.stdout.match(/script_exhausted/g)).toHaveLength(1);
    expect(failed.stderr).toBe('');
    expectExit(await runCli(['run', agent('missing'), 'go', '--db', db]), 2, /does not exist/);
    // A missing model API key is configuration, not failed work.
    const noKey = { env: { OPENAI_API_KEY: '' } };
    const missingKey = await runCli(['run', agent('needs-key'), 'go', '--db', db], noKey);
    expectExit(missingKey, 2);
    expect(missingKey.stdout).toContain('set the OPENAI_API_KEY environment variable');
    const missingKeyJson = await runCli(['run', agent('needs-key'), 'go', '--json', '--db', db], noKey);
    expectExit(missingKeyJson, 2, /missing_api_key: .*OPENAI_API_KEY/);
    expectExit(await runCli(['run', agent('three-lookups'), 'go', '--db', corrupt]), 3, /^baton: /);
    expectExit(
      await runCli(['run', agent('three-lookups'), 'go', '--db', unreachable]),
      3,
      /cannot open the (store|database)/,
    );
  });

  it('baton worker: 0 idle, 2 bad agents directory, 3 corrupt store', async () => {
    expectExit(await runCli(['worker', '--until-idle', '--db', db]), 0);
    expectExit(await runCli(['worker', '--agents', join(dir, 'nope'), '--until-idle', '--db', db]), 2);
    expectExit(await runCli(['worker', '--until-idle', '--db', corrupt]), 3);
  });

  it('baton runs: 0 listed, 2 unknown run, 3 store cannot be opened', async () => {
    expectExit(await runCli(['runs', 'list', '--db', db]), 0);
    expectExit(await runCli(['runs', 'show', 'run_nope', '--db', db]), 2, /run "run_nope" was not found/);
    expectExit(await runCli(['runs', 'list', '--db', unreachable]), 3, /cannot open the (store|database)/);
  });

  it('baton runs: 3 at once for a store under a folder that cannot be made (/proc)', async () => {
    // Node's recursive mkdir loops forever under /proc; the CLI must give up and say why.
    const result = await runCli(['runs', 'list', '--db', '/proc/nope/baton.db'], { timeoutMs: 30_000 });
    expectExit(result, 3, /cannot open the (store|database) \/proc\/nope\/baton\.db/);
  });

  it('baton events: 2 unknown session, 3 corrupt store', async () => {
    expectExit(await runCli(['events', 'ses_nope', '--db', db]), 2, /ses_nope/);
    expectExit(await runCli(['events', 'ses_nope', '--db', corrupt]), 3);
  });

  it('baton verify-log: 0 valid, 2 unknown session', async () => {
    const started = await runCli(['run', agent('three-lookups'), 'go', '--detach', '--db', db]);
    const { sessionId } = JSON.parse(started.stdout) as { sessionId: string };
    expectExit(await runCli(['verify-log', sessionId, '--db', db]), 0);
    expectExit(await runCli(['verify-log', 'ses_nope', '--db', db]), 2);
  });

  it('baton serve: 2 misconfigured auth, 3 corrupt store', async () => {
    const env = { BATON_API_TOKEN: '' };
    expectExit(
      await runCli(['serve', '--port', '0', '--auth', 'bearer', '--db', db], { env }),
      2,
      /BATON_API_TOKEN/,
    );
    expectExit(await runCli(['serve', '--port', '0', '--db', corrupt]), 3);
  });

  it("baton exec: the command's own exit code once it ran, Baton's before; --json says which", async () => {
    const repo = createTempRepo({ 'a.txt': 'one\n' });
    try {
      const home = join(dir, 'exec-home');
      const ran = await runCli(
        ['exec', '--no-sandbox', '--json', '--db', join(home, 'b.db'), '--', 'sh', '-c', 'exit 3'],
        {
          cwd: repo.dir,
        },
      );
      expectExit(ran, 3);
      expect(JSON.parse(ran.stdout)).toMatchObject({ phase: 'command', exitCode: 3, status: 'failed' });
      const notARepo = await runCli(
        ['exec', '--no-sandbox', '--json', '--db', join(home, 'b.db'), '--', 'true'],
        {
          cwd: home,
        },
      );
      expectExit(notARepo, 2, /not inside a git work tree/);
      expect(JSON.parse(notARepo.stdout)).toMatchObject({
        phase: 'baton',
        exitCode: 2,
        error: { code: expect.any(String) },
      });
    } finally {
      repo.remove();
    }
  });

  it.each([
    ['no command', ['exec', '--json']],
    ['an unusable flag value given before --json', ['exec', '--timeout', 'soon', '--json', '--', 'true']],
    ['an unknown flag', ['exec', '--json', '--no-such-flag', '--', 'true']],
  ])('baton exec --json: a usage error (%s) is a JSON error on stdout, exit 2', async (_label, args) => {
    const result = await runCli([...args, '--db', db]);
    expectExit(result, 2);
    expect(JSON.parse(result.stdout)).toEqual({
      phase: 'baton',
      exitCode: 2,
      error: { code: 'usage_error', message: expect.any(String) },
    });
  });

  it('baton exec --json: an unusable BATON_* variable is a JSON error on stdout, exit 2', async () => {
    const result = await runCli(['exec', '--json', '--db', db, '--', 'true'], {
      env: { BATON_SQLITE_SYNCHRONOUS: 'sometimes' },
    });
    expectExit(result, 2);
    expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: 2, error: { code: 'invalid_option' } });
  });

  it('baton receipt: 2 for a run that was not governed, saying so', async () => {
    const started = await runCli(['run', agent('three-lookups'), 'go', '--detach', '--db', db]);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    expectExit(await runCli(['receipt', runId, '--db', db]), 2, /was not a governed run/);
  });

  it('baton verify: 1 invalid receipt, 2 unreadable file', async () => {
    const forged = join(dir, 'forged.json');
    writeFileSync(forged, '{"version":1}');
    expectExit(await runCli(['verify', forged]), 1, /invalid/);
    expectExit(await runCli(['verify', join(dir, 'missing.json')]), 2, /cannot read/);
    const fifo = join(dir, 'receipt.fifo');
    execFileSync('mkfifo', [fifo]);
    expectExit(await runCli(['verify', fifo], { timeoutMs: 30_000 }), 2, /is a FIFO, not a regular file/);
  });

  it('baton keys show: 0 with a key, 3 when the Baton home cannot be created', async () => {
    expectExit(await runCli(['keys', 'show', '--json'], { env: { BATON_HOME: join(dir, 'home') } }), 0);
    expectExit(await runCli(['keys', 'show'], { env: { BATON_HOME: join(dir, 'a-file', 'home') } }), 3);
  });

  it('baton pull: 2 for an unknown run', async () => {
    const repo = createTempRepo({ 'a.txt': 'one\n' });
    try {
      expectExit(await runCli(['pull', 'run_nope', '--db', db], { cwd: repo.dir }), 2, /run_nope/);
    } finally {
      repo.remove();
    }
  });

  it('baton mcp: 2 for a missing agents directory, 3 for a corrupt store', async () => {
    expectExit(await runCli(['mcp', '--agents', join(dir, 'nope'), '--db', db]), 2, /does not exist/);
    expectExit(await runCli(['mcp', '--db', corrupt]), 3);
  });

  it('baton tasks: 0 listed, 2 unknown task, 3 corrupt store', async () => {
    mkdirSync(join(dir, 'tasks'), { recursive: true });
    expectExit(await runCli(['tasks', 'list', '--db', db]), 0);
    expectExit(await runCli(['tasks', 'cancel', 'task_nope', '--db', db]), 2, /task_nope/);
    expectExit(await runCli(['tasks', 'list', '--db', corrupt]), 3);
  });
});
