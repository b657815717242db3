import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/wait-for.js';
import { SqliteStore } from './sqlite-store.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function databaseFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'baton-checkpointer-'));
  directories.push(directory);
  return join(directory, 'baton.db');
}

async function appendMessages(store: SqliteStore, count: number): Promise<void> {
  await store.createSession({ id: 'ses_1', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
  for (let index = 0; index < count; index += 1) {
    await store.append('ses_1', [{ type: 'message.received', data: { role: 'user', text: `m${index}` } }], {
      runId: 'run_1',
    });
  }
}

describe('background WAL checkpoints', () => {
  it('checkpoints the WAL off the commit path, and the WAL is gone once the store is closed', async () => {
    const file = databaseFile();
    const store = new SqliteStore(file, { checkpointIntervalMs: 20 });
    const before = statSync(file).mtimeMs;
    await appendMessages(store, 200);
    await waitFor(() => store.backgroundCheckpoints().completed > 0, { timeoutMs: 5_000 });
    // A checkpoint is what writes the main file in WAL mode.
    expect(statSync(file).mtimeMs).toBeGreaterThan(before);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SqliteStore(file);
    expect(await reopened.readEvents('ses_1')).toHaveLength(200);
    await reopened.close();
  });

  it('starts its thread only one interval after the open: a store closed sooner starts none', async () => {
    // Linux shows a process's threads in /proc; a worker thread adds several.
    const threads = () => readdirSync('/proc/self/task').length;
    const before = threads();
    const store = new SqliteStore(databaseFile(), { checkpointIntervalMs: 60_000 });
    await appendMessages(store, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(threads()).toBe(before);
    expect(store.backgroundCheckpoints()).toEqual({ completed: 0, ticks: 0 });
    await store.close();
  });

  it('runs no thread when asked not to: SQLite checkpoints inside commits as before', async () => {
    const store = new SqliteStore(databaseFile(), { checkpointIntervalMs: 0 });
    await appendMessages(store, 20);
    expect(store.backgroundCheckpoints()).toEqual({ completed: 0, ticks: 0 });
    await store.close();
  });
});
