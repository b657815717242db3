// A FULL store writes its WAL file out at open so that its fsync'd commits overwrite blocks
// instead of growing the file (src/store/sqlite/wal-prewrite.ts). What must hold: the file is
// written out for FULL and left alone for NORMAL, and no committed event is lost or misread
// when a process is killed with frames in the WAL, before the zeros or among them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/core/events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { BACKSTOP_PAGES } from '../src/store/sqlite/wal-checkpointer.js';
import { walBytes } from '../src/store/sqlite/wal-prewrite.js';

const storeModule = pathToFileURL(join(import.meta.dirname, '../src/store/sqlite/index.ts')).href;
/** SQLite's own `wal_autocheckpoint` default: the WAL size a store without the checkpoint thread restarts at. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
const PAGE_SIZE = 4_096;
const SESSION = 'ses_prewrite';

/**
 * Appends `count` events to the session in a child process, which then kills itself with
 * SIGKILL: no close, so the frames stay in the WAL, uncheckpointed (no checkpoint thread).
 */
async function appendThenDie(path: string, synchronous: 'NORMAL' | 'FULL', count: number): Promise<void> {
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(storeModule)});
    const store = new SqliteStore(${JSON.stringify(path)}, { synchronous: '${synchronous}', checkpointIntervalMs: 0 });
    if (!(await store.getSession('${SESSION}')))
      await store.createSession({ id: '${SESSION}', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
    for (let i = 0; i < ${count}; i += 1)
      await store.append('${SESSION}', [{ type: 'step.started', data: { step: i, pad: 'x'.repeat(500) } }], { runId: 'run_prewrite' });
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_, sig) => resolve(sig)),
  );
  expect(signal, stderr).toBe('SIGKILL');
}

describe('SQLite WAL written out for FULL commits', () => {
  let directory: string;
  let path: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-wal-prewrite-'));
    path = join(directory, 'baton.db');
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const walSize = () => statSync(`${path}-wal`).size;

  it('writes a FULL store’s WAL out to where it restarts, and leaves a NORMAL store’s alone', async () => {
    const full = new SqliteStore(path, { synchronous: 'FULL' });
    try {
      expect(walSize()).toBe(walBytes(BACKSTOP_PAGES, PAGE_SIZE));
    } finally {
      await full.close();
    }
    const normal = new SqliteStore(join(directory, 'normal.db'), { synchronous: 'NORMAL' });
    try {
      expect(statSync(join(directory, 'normal.db-wal')).size).toBeLessThan(1 << 20);
    } finally {
      await normal.close();
    }
  });

  it('writes out the WAL SQLite uses for a symlinked database, and no file named after the link', async () => {
    const real = join(directory, 'real.db');
    await new SqliteStore(real).close();
    const link = join(directory, 'link.db');
    symlinkSync(real, link);
    const store = new SqliteStore(link, { synchronous: 'FULL' });
    try {
      expect(statSync(`${real}-wal`).size).toBe(walBytes(BACKSTOP_PAGES, PAGE_SIZE));
      expect(existsSync(`${link}-wal`)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('loses nothing when processes die with frames before the zeros and among them', async () => {
    // A NORMAL writer dies: its frames sit in a WAL that was never written out.
    await appendThenDie(path, 'NORMAL', 40);
    expect(walSize()).toBeLessThan(walBytes(DEFAULT_AUTOCHECKPOINT_PAGES, PAGE_SIZE));
    // A FULL writer opens over them, writes zeros past them (without the thread SQLite restarts
    // the WAL at its default of 1,000 pages, so that is how far), appends into the zeros, dies.
    await appendThenDie(path, 'FULL', 40);
    expect(walSize()).toBe(walBytes(DEFAULT_AUTOCHECKPOINT_PAGES, PAGE_SIZE));

    // No connection is left: opening recovers from the WAL file alone, frames then zeros.
    const reopened = new SqliteStore(path, { synchronous: 'FULL', checkpointIntervalMs: 0 });
    try {
      const events = await reopened.readEvents(SESSION);
      expect(events.map((event) => (event.data as { step: number }).step)).toEqual([
        ...Array.from({ length: 40 }, (_, i) => i),
        ...Array.from({ length: 40 }, (_, i) => i),
      ]);
      expect(verifyChain(events)).toMatchObject({ ok: true, count: 80 });
    } finally {
      await reopened.close();
    }
  });
});
