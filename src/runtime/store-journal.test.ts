import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
import { SessionFold } from '../loop/session-checkpoint.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { LiveBus } from './live-bus.js';
import { StoreJournal } from './store-journal.js';

async function claimedJournal() {
  const store = new MemoryStore();
  await store.createSession({ id: 'ses_1', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
  await store.append('ses_1', [{ type: 'message.received', data: { role: 'user', text: 'first' } }], {
    runId: 'run_1',
  });
  await store.createRun({
    id: 'run_1',
    sessionId: 'ses_1',
    agent: 'a',
    kind: 'message',
    input: {},
    idempotencyKey: null,
  });
  const claim = await store.claimRun('me', 60_000);
  if (!claim) throw new Error('no claim');
  const fence = { runId: 'run_1', token: claim.lease.token };
  const journal = new StoreJournal({ store, bus: new LiveBus(), sessionId: 'ses_1', runId: 'run_1', fence });
  await journal.load();
  const deliver = (text: string) =>
    store.append('ses_1', [{ type: 'message.received', data: { role: 'user', text } }], { runId: 'run_1' });
  return { store, journal, deliver };
}

const texts = (events: readonly { data: { text: string } }[]) => events.map((event) => event.data.text);

describe('StoreJournal', () => {
  it('drains only messages committed by others after what the loop has seen', async () => {
    const { journal, deliver } = await claimedJournal();
    await journal.append({ type: 'step.started', data: { step: 1 } });
    expect(await journal.drainInbox()).toEqual([]);
    await deliver('after my commit');
    expect(texts(await journal.drainInbox())).toEqual(['after my commit']);
    expect(await journal.drainInbox()).toEqual([]);
  });

  it('notices a message committed between two of its own commits', async () => {
    const { journal, deliver } = await claimedJournal();
    await journal.append({ type: 'step.started', data: { step: 1 } });
    await deliver('in between');
    await journal.append({ type: 'step.completed', data: { step: 1 } });
    expect(texts(await journal.drainInbox())).toEqual(['in between']);
  });

  it('commits lifecycle side-table updates with the event and refuses appends after a takeover', async () => {
    const { store, journal } = await claimedJournal();
    await journal.append({ type: 'run.started', data: { agent: 'a', attempt: 1, definitionHash: 'd' } });
    expect(await store.getRun('run_1')).toMatchObject({ status: 'running', definitionHash: 'd' });
    expect((await store.getSession('ses_1'))?.status).toBe('running');
    const run = await store.getRun('run_1');
    await store.updateRun(
      'run_1',
      { lease: { owner: 'other', token: 'stolen', expiresAt: Date.now() + 60_000 } },
      {
        runId: 'run_1',
        token: run?.lease?.token ?? '',
      },
    );
    await expect(journal.append({ type: 'step.started', data: { step: 1 } })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect((await store.readEvents('ses_1')).map((event) => event.type)).toEqual([
      'message.received',
      'run.started',
    ]);
  });

  describe('the end-of-run checkpoint', () => {
    /** Counts the store's `readEvents` calls from now on. */
    function countReads(store: MemoryStore): () => number {
      let reads = 0;
      const readEvents = store.readEvents.bind(store);
      store.readEvents = (...args) => {
        reads += 1;
        return readEvents(...args);
      };
      return () => reads;
    }

    /** The checkpoint text the session's whole log folds to. */
    async function wholeLogCheckpoint(store: MemoryStore): Promise<string> {
      return SessionFold.from(undefined, await store.readEvents('ses_1')).serialise();
    }

    async function writtenCheckpoint(store: MemoryStore): Promise<string> {
      const hash = (await store.getSession('ses_1'))?.checkpoint?.hash;
      const bytes = hash === undefined ? undefined : await store.getBlob(hash);
      return new TextDecoder().decode(bytes);
    }

    it('folds its own commits since the load without reading them back', async () => {
      const { store, journal } = await claimedJournal();
      const reads = countReads(store);
      await journal.append({ type: 'run.started', data: { agent: 'a', attempt: 1, definitionHash: 'd' } });
      await journal.appendMany([
        { type: 'step.started', data: { step: 1 } },
        {
          type: 'message.completed',
          data: { text: 'done', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } },
        },
      ] as EventDraft[]);
      expect(await journal.checkpoint(1)).toBe(3);
      expect(reads()).toBe(0);
      expect(await writtenCheckpoint(store)).toBe(await wholeLogCheckpoint(store));
    });

    it('reads the log back when another writer appended between its commits', async () => {
      const { store, journal, deliver } = await claimedJournal();
      const reads = countReads(store);
      await journal.append({ type: 'run.started', data: { agent: 'a', attempt: 1, definitionHash: 'd' } });
      await deliver('in between');
      await journal.append({ type: 'step.started', data: { step: 1 } });
      expect(await journal.checkpoint(1)).toBe(3);
      expect(reads()).toBe(1);
      const checkpoint = await writtenCheckpoint(store);
      expect(checkpoint).toContain('in between');
      expect(checkpoint).toBe(await wholeLogCheckpoint(store));
    });
  });
});
