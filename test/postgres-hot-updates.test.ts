import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { tryAppend } from '../src/store/postgres/append-statement.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { NewSessionStart } from '../src/store/run-store.js';
import { sealDrafts } from '../src/store/seal-drafts.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from './helpers/postgres.js';

const schema = uniqueSchema('hot_updates');
afterAll(() => dropSchema(schema));

describe('postgres session head updates', () => {
  it('moves the head of a session in a HOT update: appends add no index entries for the session row', async () => {
    const store = await openPostgresStore(schemaUrl(schema));
    const client = new pg.Client({ connectionString: PG_URL });
    try {
      const sessionId = `ses_${randomBytes(6).toString('hex')}`;
      const runId = `run_${randomBytes(6).toString('hex')}`;
      await store.startSession({
        session: { id: sessionId, agent: 'agent', context: {}, auth: {}, tokenHash: sessionId },
        run: {
          id: runId,
          sessionId,
          agent: 'agent',
          kind: 'message',
          input: { text: 'hi' },
          idempotencyKey: null,
        },
        events: [{ type: 'session.started', data: { agent: 'agent' } }],
      } as NewSessionStart);
      const claim = await store.claimRun('worker', 60_000, { runId });
      if (!claim) throw new Error('the run was not claimed');
      const options = { runId, fence: { runId, token: claim.lease.token } };
      await client.connect();
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      // One transaction, so this backend's own counters of it say what its statements did.
      await client.query('BEGIN');
      let head = await store.head(sessionId);
      // This backend's counters of its own transaction, and the column the append may move.
      const observed = async () => {
        const result = await client.query<{ hot: string; moved_at: string | null }>(
          `SELECT pg_stat_get_xact_tuples_hot_updated('sessions'::regclass) AS hot,
             (SELECT last_event_at::text FROM sessions WHERE id = $1) AS moved_at`,
          [sessionId],
        );
        return { hot: Number(result.rows[0]?.hot), movedAt: result.rows[0]?.moved_at };
      };
      // An append that moved last_event_at (it was a second old: the start's, on a slow
      // machine) changed an indexed column; every other one must be a HOT update.
      let kept = 0;
      for (let step = 0; step < 4; step += 1) {
        const before = await observed();
        const now = new Date().toISOString();
        const events: BatonEvent[] = sealDrafts(head, [{ type: 'step.started', data: { step } }], {
          sessionId,
          runId,
          ts: now,
        });
        expect(await tryAppend(client, sessionId, events, head, options, now)).toMatchObject({
          reason: 'appended',
        });
        const last = events.at(-1);
        head = last && { seq: last.seq, hash: last.hash };
        const after = await observed();
        if (after.movedAt === before.movedAt) {
          kept += 1;
          expect(after.hot - before.hot).toBe(1);
        }
      }
      await client.query('ROLLBACK');
      // Four appends back to back: at least the ones within a second of the last move keep it.
      expect(kept).toBeGreaterThan(0);
    } finally {
      await client.end();
      await store.close();
    }
  });
});
