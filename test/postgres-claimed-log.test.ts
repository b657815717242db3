import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRuntime, defineAgent, type Runtime, scriptedModel } from '../src/index.js';
import type { Store } from '../src/store/store.js';
import { postgresStores } from './helpers/postgres-stores.js';

// On Postgres a claim brings back the session's events after its checkpoint when they are few,
// and the run's first load uses them with its own `run.started` instead of reading the log. A
// snapshot taken at the claim must never hide what another process appended after it.

const stores = postgresStores('claimed_log');

/** The user messages each model call was shown, in call order. */
function witness() {
  const seen: string[][] = [];
  const agent = defineAgent({
    name: 'witness',
    instructions: 'Say what you were told.',
    model: scriptedModel((request) => {
      const told = request.prompt.flatMap((message) =>
        message.role === 'user'
          ? message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))
          : [],
      );
      seen.push(told);
      return { text: `told ${told.join(' + ')}` };
    }),
  });
  return { agent, seen };
}

/** `work` with a fresh store and a runtime of the witness agent on it, closed after. */
async function withWitness(work: (store: Store, runtime: Runtime) => Promise<void>): Promise<void> {
  const store = await stores.open();
  const runtime = createRuntime({ store, agents: [witness().agent] });
  try {
    await work(store, runtime);
  } finally {
    await runtime.close();
  }
}

/** Runs `work` once, the first time `store.<method>` has returned (for append: committed `type`). */
function interposeAfter(
  store: Store,
  method: 'claimRun' | 'append',
  work: () => Promise<unknown>,
  type?: string,
) {
  let done = false;
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    const result = await original(...args);
    const drafts = method === 'append' ? (args[1] as { type: string }[]) : [];
    if (!done && (type === undefined || drafts.some((draft) => draft.type === type))) {
      done = true;
      await work();
    }
    return result;
  };
}

/**
 * A run of the witness agent on one store while a second store (a second process) delivers
 * SECOND to it at the point `interpose` picks; resolves with what each model call was shown
 * once the run ended answering both messages, in one run.
 */
async function deliveredDuringStart(
  interpose: (store: Store, deliver: () => Promise<unknown>) => void,
): Promise<string[][]> {
  const store = await stores.open();
  const { agent, seen } = witness();
  const runtime = createRuntime({ store, agents: [agent] });
  const other: Runtime = createRuntime({ store: await stores.open(), agents: [agent] });
  try {
    const started = await runtime.start({ agent: 'witness', message: 'FIRST' });
    interpose(store, () =>
      other.deliver({ continuationToken: started.continuationToken ?? '', message: 'SECOND' }),
    );
    const run = await runtime.execute(started.runId);
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'told FIRST + SECOND' } });
    expect((await runtime.listRuns({ sessionId: started.sessionId })).items).toHaveLength(1);
    return seen;
  } finally {
    await other.close();
    await runtime.close();
  }
}

describe('a run whose claim brought its session’s events', () => {
  it('gives the claim the same events a read of the log gives, data and hashes as stored', async () => {
    await withWitness(async (store, runtime) => {
      const text = 'ünïcödé 🎉 "quoted" \\ back\\slash \n new line, 1e21 and 0.1';
      const { runId, sessionId } = await runtime.start({ agent: 'witness', message: text });
      const claim = await store.claimRun('worker', 60_000, { runId });
      expect(claim?.events).toEqual(await store.readEvents(sessionId));
      expect(claim?.events?.length).toBeGreaterThan(0);
    });
  });

  it('shows the first model call a message another process delivered between the claim and run.started', async () => {
    const seen = await deliveredDuringStart((store, deliver) => interposeAfter(store, 'claimRun', deliver));
    // The log had moved past the claim's events before run.started: it was read, not assumed.
    expect(seen).toEqual([['FIRST', 'SECOND']]);
  });

  it('answers, in the same run, a message delivered after run.started and before the first model call', async () => {
    const seen = await deliveredDuringStart((store, deliver) =>
      interposeAfter(store, 'append', deliver, 'run.started'),
    );
    expect(seen.at(-1)).toEqual(['FIRST', 'SECOND']);
  });

  it('brings no events for a session with more than 64 after its checkpoint, and only those after it', async () => {
    await withWitness(async (store, runtime) => {
      const { runId, sessionId, continuationToken } = await runtime.start({
        agent: 'witness',
        message: 'go',
      });
      const fresh = await store.claimRun('worker', 60_000, { runId });
      expect(fresh?.events?.map((event) => event.seq)).toEqual([0, 1]);
      await store.releaseLease({ runId, token: fresh?.lease.token ?? '' });
      // 70 more events, no checkpoint: the claim leaves the log to the run's read.
      const many = Array.from({ length: 70 }, () => ({
        type: 'message.received' as const,
        data: { role: 'user' as const, text: 'x' },
      }));
      await store.append(sessionId, many, { runId });
      const long = await store.claimRun('worker', 60_000, { runId });
      expect(long).toBeDefined();
      expect(long?.events).toBeUndefined();
      await store.releaseLease({ runId, token: long?.lease.token ?? '' });
      // With a checkpoint at seq 60, only what came after it.
      await store.updateSession(sessionId, { checkpoint: { seq: 60, hash: 'a'.repeat(64) } });
      const afterCheckpoint = await store.claimRun('worker', 60_000, { runId });
      expect(afterCheckpoint?.events?.map((event) => event.seq)).toEqual(
        (await store.readEvents(sessionId, { from: 61 })).map((event) => event.seq),
      );
      expect(continuationToken).toBeDefined();
    });
  });

  it('claims a run whose session has a checkpoint pointer no cast can read, and reads its whole log', async () => {
    await withWitness(async (store, runtime) => {
      const { runId, sessionId } = await runtime.start({ agent: 'witness', message: 'go' });
      // Never written by Baton; a cast of it inside the claim would fail every claim of the queue.
      await store.updateSession(sessionId, { checkpoint: { seq: 1.5, hash: 'a'.repeat(64) } });
      const claim = await store.claimRun('worker', 60_000);
      expect(claim?.run.id).toBe(runId);
      expect(claim?.events?.map((event) => event.seq)).toEqual([0, 1]);
      await store.releaseLease({ runId, token: claim?.lease.token ?? '' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
    });
  });

  it('brings no events when their data takes more than 256 KiB as stored, and the run reads them', async () => {
    await withWitness(async (store, runtime) => {
      const { runId, sessionId } = await runtime.start({ agent: 'witness', message: 'go' });
      const large = {
        type: 'message.received' as const,
        data: { role: 'user' as const, text: randomBytes(225_000).toString('base64') },
      };
      await store.append(sessionId, [large], { runId });
      const claim = await store.claimRun('worker', 60_000, { runId });
      expect(claim?.run.id).toBe(runId);
      expect(claim?.events).toBeUndefined();
      await store.releaseLease({ runId, token: claim?.lease.token ?? '' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
    });
  });
});
