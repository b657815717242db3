import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detachRun, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-timeline-'));
const db = join(dir, 'baton.db');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton runs show --timeline', () => {
  it("draws the run's attempt, steps, model calls and tools as bars from the log", async () => {
    const { runId } = await detachRun('test/fixtures/agents/three-lookups.ts', db);
    expect((await runCli(['worker', '--until-idle', '--db', db])).code).toBe(0);
    const shown = await runCli(['runs', 'show', runId, '--timeline', '--db', db]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^attempt 1 +\|█+ *\| +\d+(\.\d+)? m?s {2}wrk_\S+ {2}completed$/);
    expect(lines.filter((line) => /^step \d+ +\|/.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(
      lines.filter((line) => /^ {2}chat +\|.*█.*\| +\d.* \d+ in \/ \d+ out/.test(line)).length,
    ).toBeGreaterThanOrEqual(2);
    expect(lines.filter((line) => /^ {2}tool lookup +\|.*█.*\| .* ok$/.test(line))).toHaveLength(3);
  });
});
