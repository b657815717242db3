import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

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
