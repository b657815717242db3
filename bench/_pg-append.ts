// `npx tsx bench/_pg-append.ts`: one fenced append of one small event in a tight loop, three
// ways, interleaved round by round (medians of ROUNDS rounds of PER_ROUND each): the one-INSERT
// commit floor and the append statement alone, both on a bare connection, and
// `PostgresStore.append` (pool, session queue, background NOTIFY). Besides wall time it prints
// the bare connection's backend CPU per operation (from /proc: the server must run on this
// machine) and this process's CPU: on a shared, loaded machine those say more than wall time.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { EventDraft } from '../src/core/events.js';
import { tryAppend } from '../src/store/postgres/append-statement.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Fence, NewSessionStart } from '../src/store/run-store.js';
import { sealDrafts } from '../src/store/seal-drafts.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { loadAverage } from './_table.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PER_ROUND = Number(process.env.PER_ROUND ?? 300);
const DRAFT: EventDraft = { type: 'step.started', data: { step: 1 } };

const schema = uniqueSchema('bench_append');
const store = await openPostgresStore(schemaUrl(schema));
const client = new pg.Client({ connectionString: PG_URL });

/** A started session whose run is claimed, and its fence. */
async function claimedSession(): Promise<{ sessionId: string; fence: Fence }> {
  const sessionId = `ses_bench_${performance.now().toString(36).replace('.', '')}`;
  const runId = `run_${sessionId}`;
  await store.startSession({
    session: { id: sessionId, agent: 'bench', context: {}, auth: {}, tokenHash: sessionId },
    run: {
      id: runId,
      sessionId,
      agent: 'bench',
      kind: 'message',
      input: { text: 'go' },
      idempotencyKey: null,
    },
    events: [{ type: 'session.started', data: { agent: 'bench' } }],
  } as NewSessionStart);
  const claim = await store.claimRun('bench', 600_000, { runId });
  if (!claim) throw new Error('the bench run was not claimed');
  return { sessionId, fence: { runId, token: claim.lease.token } };
}

function cpuMs(stat: string): number {
  const fields = stat.split(') ')[1]?.split(' ') ?? [];
  // utime and stime, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

try {
  await client.connect();
  await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
  await client.query('CREATE TABLE floor (n integer)');
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const backendCpu = () => cpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const ownCpu = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const viaStore = await claimedSession();
  const bare = await claimedSession();
  let head = await store.head(bare.sessionId);
  const cases: Record<string, () => Promise<unknown>> = {
    floor: () => client.query('INSERT INTO floor VALUES ($1)', [1]),
    statement: async () => {
      const now = new Date().toISOString();
      const events = sealDrafts(head, [DRAFT], {
        sessionId: bare.sessionId,
        runId: bare.fence.runId,
        ts: now,
      });
      const options = { runId: bare.fence.runId, fence: bare.fence };
      const outcome = await tryAppend(client, bare.sessionId, events, head, options, now);
      if (outcome.reason !== 'appended') throw new Error(`the bench append missed: ${outcome.reason}`);
      const last = events.at(-1);
      head = last && { seq: last.seq, hash: last.hash };
    },
    store: () =>
      store.append(viaStore.sessionId, [DRAFT], { runId: viaStore.fence.runId, fence: viaStore.fence }),
  };
  console.log(`start: ${loadAverage()}`);
  const results = Object.fromEntries(
    Object.keys(cases).map((name) => [
      name,
      { wall: [] as number[], backend: [] as number[], own: [] as number[] },
    ]),
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, work] of Object.entries(cases)) {
      const [wall, backend, own] = [performance.now(), backendCpu(), ownCpu()];
      for (let index = 0; index < PER_ROUND; index += 1) await work();
      const result = results[name];
      if (!result) continue;
      result.wall.push((performance.now() - wall) / PER_ROUND);
      result.backend.push((backendCpu() - backend) / PER_ROUND);
      result.own.push((ownCpu() - own) / PER_ROUND);
    }
  }
  for (const [name, result] of Object.entries(results)) {
    const backend = name === 'store' ? '(pooled)' : `${median(result.backend).toFixed(3)} ms`;
    console.log(
      `${name.padEnd(9)} ${median(result.wall).toFixed(3)} ms wall, backend CPU ${backend}, ` +
        `this process ${median(result.own).toFixed(3)} ms CPU per operation`,
    );
  }
  console.log(`end: ${loadAverage()}`);
} finally {
  await client.end();
  await store.close();
  await dropSchema(schema);
}
