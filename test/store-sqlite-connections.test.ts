import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { AppendConflictError } from '../src/store/append-conflict.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { createRun, createSession } from '../src/testing/store-contract/fixtures.js';

function steps(from: number, count: number): EventDraft[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'step.started',
    data: { step: from + index },
  }));
}

// Two connections to one file stand for two processes: each knows only its own commits.
describe('SQLite appends and step boundaries across connections', () => {
  let directory: string;
  let mine: SqliteStore;
  let theirs: SqliteStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-connections-'));
    mine = new SqliteStore(join(directory, 'baton.db'));
    theirs = new SqliteStore(join(directory, 'baton.db'));
  });

  afterEach(async () => {
    await theirs.close();
    await mine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("continues the chain from another connection's events appended since its own last commit", async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 2), { runId: run.id });
    await theirs.append(session.id, steps(2, 1), { runId: run.id });
    const [next] = await mine.append(session.id, steps(3, 1), { runId: run.id });
    expect(next?.seq).toBe(3);
    const events = await theirs.readEvents(session.id);
    expect(events.map((event) => event.seq)).toEqual([0, 1, 2, 3]);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('refuses a compare-and-append whose expected head another connection moved', async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 1), { runId: run.id });
    await theirs.append(session.id, steps(1, 1), { runId: run.id });
    await expect(
      mine.append(session.id, steps(1, 1), { runId: run.id, expectedHeadSeq: 0 }),
    ).rejects.toBeInstanceOf(AppendConflictError);
    await expect(
      mine.append(session.id, steps(2, 1), { runId: run.id, expectedHeadSeq: null }),
    ).rejects.toBeInstanceOf(AppendConflictError);
    expect((await mine.readEvents(session.id)).map((event) => event.seq)).toEqual([0, 1]);
  });

  it('refuses an append that expects an empty log once its own commit made it non-empty', async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 1), { runId: run.id });
    await expect(
      mine.append(session.id, steps(1, 1), { runId: run.id, expectedHeadSeq: null }),
    ).rejects.toBeInstanceOf(AppendConflictError);
  });

  it("shows another connection's cancel request at the boundary after the run's next append", async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 1), { runId: run.id });
    await theirs.updateRun(run.id, { cancelRequested: true });
    const [event] = await mine.append(session.id, steps(1, 1), { runId: run.id });
    expect(await mine.stepBoundary(session.id, run.id)).toEqual({
      head: { seq: 1, hash: event?.hash },
      cancelRequested: true,
    });
  });

  it('reads the boundary afresh once this connection changed the run', async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 1), { runId: run.id });
    expect((await mine.stepBoundary(session.id, run.id)).cancelRequested).toBe(false);
    await mine.updateRun(run.id, { cancelRequested: true });
    expect((await mine.stepBoundary(session.id, run.id)).cancelRequested).toBe(true);
  });

  // A run's end commits only on the head it read: retried on a stale head it would lose every
  // retry (head_moved), so the failed append must make the next boundary read the head afresh.
  it('reads the head afresh after a conditional append another connection made stale', async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    await mine.append(session.id, steps(0, 1), { runId: run.id });
    const [theirEvent] = await theirs.append(session.id, steps(1, 1), { runId: run.id });
    const stale = await mine.stepBoundary(session.id, run.id);
    await expect(
      mine.append(session.id, steps(1, 1), { runId: run.id, expectedHeadSeq: stale.head?.seq ?? null }),
    ).rejects.toBeInstanceOf(AppendConflictError);
    expect((await mine.stepBoundary(session.id, run.id)).head).toEqual({
      seq: 1,
      hash: theirEvent?.hash,
    });
  });

  it('hands out a copy of the head it remembers', async () => {
    const session = await createSession(mine);
    const run = await createRun(mine, session.id);
    const [event] = await mine.append(session.id, steps(0, 1), { runId: run.id });
    const boundary = await mine.stepBoundary(session.id, run.id);
    if (boundary.head) boundary.head.seq = 99;
    expect((await mine.stepBoundary(session.id, run.id)).head).toEqual({ seq: 0, hash: event?.hash });
  });
});
