import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-run-background-'));
const AGENT = join('test', 'fixtures', 'agents', 'background-coordinator.ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton run with background children', () => {
  it("runs the background children's task runs in-process and exits once the coordinator answers", async () => {
    const db = join(dir, 'background.db');
    const result = await runCli(['run', AGENT, 'research', '--json', '--db', db], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('waiting for a person');
    const events = result.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as BatonEvent);
    // Only the root session is printed; it idle-yielded on its children and was woken by both.
    expect(new Set(events.map((event) => event.sessionId)).size).toBe(1);
    const waits = events.filter((event) => event.type === 'run.waiting');
    expect(waits[0]?.data).toMatchObject({ waitingOn: 'children' });
    const reports = events.filter(
      (event) => event.type === 'message.received' && event.data.text.startsWith('<task-completed'),
    );
    expect(reports).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { status: 'succeeded', text: 'both reports in' },
    });
    const store = new SqliteStore(db);
    try {
      const tasks = (await store.listTasks({ limit: 10 })).items;
      expect(tasks.map((task) => task.status)).toEqual(['completed', 'completed']);
    } finally {
      await store.close();
    }
  });
});
