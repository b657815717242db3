import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskService } from '../src/delegation/task-service.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { runCli } from './helpers/cli.js';

describe('baton tasks', () => {
  let dir: string;
  let db: string;
  let taskId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tasks-cli-'));
    db = join(dir, 'baton.db');
    const store = new SqliteStore(db);
    const tasks = createTaskService({ store, agents: new Map() });
    ({ taskId } = await tasks.submitTask({
      profile: 'researcher',
      args: { question: 'why?' },
      namespace: 'cli',
    }));
    await store.close();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, shows and cancels a task', async () => {
    const listed = await runCli(['tasks', 'list', '--json', '--namespace', 'cli', '--db', db]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ taskId, status: 'pending', profile: 'researcher' }),
    ]);
    const shown = await runCli(['tasks', 'show', taskId, '--json', '--db', db]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ taskId, args: { question: 'why?' } });
    const cancelled = await runCli(['tasks', 'cancel', taskId, '--db', db]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('cancelled');
    const after = await runCli(['tasks', 'show', taskId, '--db', db]);
    expect(JSON.parse(after.stdout).status).toBe('cancelled');
    const again = await runCli(['tasks', 'cancel', taskId, '--json', '--db', db]);
    expect(JSON.parse(again.stdout)).toMatchObject({ taskId, status: 'cancelled' });
  });

  it('fails clearly for an unknown task', async () => {
    const result = await runCli(['tasks', 'show', 'task_nope', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('task "task_nope" was not found');
  });
});
