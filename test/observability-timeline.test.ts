import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_MS, TOOL_MS } from './fixtures/agents/slow-lookups.js';
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

  it('gives each model call, tool and step its real length, though their starts commit with later events', async () => {
    const { runId } = await detachRun('test/fixtures/agents/slow-lookups.ts', db);
    expect((await runCli(['worker', '--until-idle', '--db', db])).code).toBe(0);
    const shown = await runCli(['runs', 'show', runId, '--timeline', '--db', db]);
    expect(shown.code).toBe(0);
    const lengths = (label: RegExp) =>
      shown.stdout
        .split('\n')
        .filter((line) => label.test(line))
        .map((line) => {
          const [, amount, unit] = /\| +(\d+(?:\.\d+)?) (ms|s)\b/.exec(line) ?? [];
          return Number(amount) * (unit === 's' ? 1000 : 1);
        });
    // The scheduler may wake a timer a little early; never by a fifth of it.
    const chats = lengths(/^ {2}chat +\|/);
    expect(chats).toHaveLength(3);
    for (const ms of chats) expect(ms).toBeGreaterThanOrEqual(MODEL_MS * 0.8);
    const tools = lengths(/^ {2}tool lookup +\|/);
    expect(tools).toHaveLength(2);
    for (const ms of tools) expect(ms).toBeGreaterThanOrEqual(TOOL_MS * 0.8);
    const steps = lengths(/^step \d+ +\|/);
    expect(steps).toHaveLength(3);
    for (const ms of steps.slice(0, 2)) expect(ms).toBeGreaterThanOrEqual((MODEL_MS + TOOL_MS) * 0.8);
    expect(steps[2]).toBeGreaterThanOrEqual(MODEL_MS * 0.8);
    // A step's model call and its tool lie within it, one after the other (bars are rounded to a ms).
    for (const index of [0, 1])
      expect((chats[index] ?? 0) + (tools[index] ?? 0)).toBeLessThanOrEqual((steps[index] ?? 0) + 3);
  });
});
