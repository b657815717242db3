import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Fence } from '../src/store/run-store.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

async function twoStores(): Promise<[Store, Store]> {
  const schema = uniqueSchema('boundary');
  schemas.push(schema);
  return [await openPostgresStore(schemaUrl(schema)), await openPostgresStore(schemaUrl(schema))];
}

/** A session with a run claimed by `store`: appends fenced with the returned lease. */
async function claimedRun(store: Store): Promise<{ sessionId: string; fence: Fence }> {
  const sessionId = `ses_${randomBytes(6).toString('hex')}`;
  const runId = `run_${randomBytes(6).toString('hex')}`;
  await store.createSession({ id: sessionId, agent: 'agent', context: {}, auth: {}, tokenHash: sessionId });
  await store.createRun({
    id: runId,
    sessionId,
    agent: 'agent',
    kind: 'message',
    input: {},
    idempotencyKey: null,
  });
  const claim = await store.claimRun('worker', 60_000, { runId });
  if (!claim) throw new Error('the run was not claimed');
  return { sessionId, fence: { runId, token: claim.lease.token } };
}

const step = (step: number) => [{ type: 'step.started' as const, data: { step } }];

describe('postgres step boundaries', () => {
  it('answers from the latest append, and sees another process’s cancel after the next one', async () => {
    const [worker, other] = await twoStores();
    try {
      const { sessionId, fence } = await claimedRun(worker);
      const boundary = () => worker.stepBoundary?.(sessionId, fence.runId);
      const [first] = await worker.append(sessionId, step(0), { runId: fence.runId, fence });
      expect(await boundary()).toEqual({
        head: { seq: first?.seq, hash: first?.hash },
        cancelRequested: false,
      });

      await other.updateRun(fence.runId, { cancelRequested: true });
      const [second] = await worker.append(sessionId, step(1), { runId: fence.runId, fence });
      expect(await boundary()).toEqual({
        head: { seq: second?.seq, hash: second?.hash },
        cancelRequested: true,
      });

      // A cancel request made through this process shows at once, without waiting for an append.
      await worker.updateRun(fence.runId, { cancelRequested: false });
      expect((await boundary())?.cancelRequested).toBe(false);
      await worker.updateRun(fence.runId, { cancelRequested: true });
      expect((await boundary())?.cancelRequested).toBe(true);
    } finally {
      await worker.close();
      await other.close();
    }
  });

  it('tells other processes about every append of a burst, even one committed just before close', async () => {
    const [writer, reader] = await twoStores();
    let writerClosed = false;
    try {
      const { sessionId, fence } = await claimedRun(writer);
      const seen: BatonEvent[] = [];
      reader.subscribe(sessionId, (event) => seen.push(event));
      // The reader catches up on what is committed once its LISTEN connection is up.
      await writer.append(sessionId, step(0), { runId: fence.runId, fence });
      await waitFor(() => seen.length === 1, { timeoutMs: 5_000, message: 'the first event' });
      await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          writer.append(sessionId, step(index + 1), { runId: fence.runId, fence }),
        ),
      );
      await writer.close();
      writerClosed = true;
      await waitFor(() => seen.length === 31, { timeoutMs: 5_000, message: 'every event of the burst' });
      expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 31 }, (_, index) => index));
    } finally {
      if (!writerClosed) await writer.close();
      await reader.close();
    }
  });
});
