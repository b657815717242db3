import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-logging-'));
const db = join(dir, 'baton.db');

function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('baton worker logging', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs JSON lines on stderr, info by default', async () => {
    const result = await runCli(['worker', '--until-idle', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stderr);
    expect(lines.map((line) => line.msg)).toEqual(['worker started', 'worker stopped']);
    expect(lines[0]).toMatchObject({ level: 'info', owner: expect.any(String), concurrency: 1 });
  });

  it('keeps only lines at or above --log-level', async () => {
    const quiet = await runCli(['worker', '--until-idle', '--db', db, '--log-level', 'warn']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const wrong = await runCli(['worker', '--until-idle', '--db', db, '--log-level', 'verbose']);
    expect(wrong.code).toBe(2);
  });
});

describe('--log-level and --log-format', () => {
  it('are on every command that executes runs', async () => {
    for (const command of ['run', 'exec', 'mcp', 'serve', 'worker']) {
      const help = await runCli([command, '--help']);
      expect(help.stdout, command).toContain('--log-level <level>');
      expect(help.stdout, command).toContain('--log-format <format>');
    }
  }, 120_000);

  it('are checked on baton run, and its log lines stay off stdout', async () => {
    const agent = join(REPO_ROOT, 'test', 'fixtures', 'agents', 'three-lookups.ts');
    const wrong = await runCli(['run', agent, 'go', '--db', db, '--log-format', 'xml']);
    expect(wrong.code).toBe(2);
    const ran = await runCli(['run', agent, 'go', '--db', db, '--json', '--log-level', 'debug']);
    expect(ran.code, ran.stderr).toBe(0);
    // stdout is the run's NDJSON, nothing else.
    for (const line of ran.stdout.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('type');
  }, 60_000);
});
