import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/baton-runtime.js';
import type { Runtime } from '../../src/runtime/types.js';
import { createApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/store.js';
import { runCli } from './cli.js';
import { tickerAgent } from './http-server.js';

/** A store under test, the `--db` spec that opens it from a CLI, and raw SQL against its tables. */
export interface StateStore {
  store: Store;
  spec: string;
  /** Runs one statement with `$1`.. parameters on the store's tables, behind Baton's back. */
  sql(statement: string, parameters: unknown[]): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * State that never lies, on one store: sessions are `running` while their run is queued,
 * `verify-log` notices deleted newest events and run statuses edited against the log, and
 * concurrent identical starts leave exactly one session.
 */
export function truthfulStateSuite(name: string, open: () => Promise<StateStore>): void {
  describe(`truthful state on ${name}`, () => {
    let state: StateStore;
    let runtime: Runtime;

    beforeAll(async () => {
      state = await open();
      runtime = createRuntime({ store: state.store, agents: [tickerAgent(8, 0)] });
    });

    afterAll(async () => {
      await runtime.close();
      await state.cleanup();
    });

    /** A finished session of 40-odd events. */
    async function finishedSession(): Promise<{ sessionId: string; runId: string }> {
      const { sessionId, runId } = await runtime.start({ agent: 'ticker', message: 'count' });
      expect((await runtime.getSession(sessionId)).status).toBe('running');
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      expect((await runtime.getSession(sessionId)).status).toBe('idle');
      return { sessionId, runId };
    }

    async function verifyLog(sessionId: string) {
      return runCli(['verify-log', sessionId, '--db', state.spec]);
    }

    it('verifies an untouched log and refuses one whose newest event was deleted', async () => {
      const { sessionId } = await finishedSession();
      const valid = await verifyLog(sessionId);
      expect(valid.code, valid.stderr).toBe(0);
      expect(valid.stdout).toMatch(/^valid: \d+ events/);
      const head = await state.store.head(sessionId);
      await state.sql('DELETE FROM events WHERE session_id = $1 AND seq = $2', [sessionId, head?.seq]);
      const broken = await verifyLog(sessionId);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain('broken at seq');
      expect(broken.stdout).toContain("the session's head");
    });

    it('refuses a log whose last 29 events were deleted', async () => {
      const { sessionId } = await finishedSession();
      const head = (await state.store.head(sessionId))?.seq ?? 0;
      expect(head).toBeGreaterThan(30);
      await state.sql('DELETE FROM events WHERE session_id = $1 AND seq > $2', [sessionId, head - 29]);
      const broken = await verifyLog(sessionId);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`broken at seq ${head - 28}`);
    });

    it('refuses a run whose status was edited to disagree with its terminal event', async () => {
      const { sessionId, runId } = await finishedSession();
      await state.sql("UPDATE runs SET status = 'failed' WHERE id = $1", [runId]);
      const broken = await verifyLog(sessionId);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`run ${runId} is failed but its last lifecycle event is run.completed`);
      await state.sql("UPDATE runs SET status = 'succeeded' WHERE id = $1", [runId]);
      expect((await verifyLog(sessionId)).code).toBe(0);
      await state.sql("UPDATE runs SET status = 'running' WHERE id = $1", [runId]);
      expect((await verifyLog(sessionId)).code).toBe(1);
    });

    it('leaves exactly one session for twenty concurrent identical starts over HTTP', async () => {
      const app = createApp({ runtime });
      const before = (await runtime.listSessions({ limit: 100 })).items.length;
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.request('/v1/sessions', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ agent: 'ticker', message: 'once', idempotencyKey: 'twenty' }),
          }),
        ),
      );
      const bodies = (await Promise.all(responses.map((response) => response.json()))) as {
        sessionId: string;
      }[];
      expect(responses.map((response) => response.status).sort()).toEqual([...Array(19).fill(200), 202]);
      expect(new Set(bodies.map((body) => body.sessionId)).size).toBe(1);
      expect((await runtime.listSessions({ limit: 100 })).items.length).toBe(before + 1);
    });
  });
}
