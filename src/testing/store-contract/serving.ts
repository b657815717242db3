import { expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { Store } from '../../store/store.js';
import type { WorkerAnnouncement } from '../../store/worker-registry.js';
import { createSession, sleep } from './fixtures.js';

function announcement(id: string): WorkerAnnouncement {
  return {
    id,
    host: 'host-a',
    pid: 42,
    agents: ['alpha'],
    agentModules: [],
    loadsModules: false,
    unloadableModules: [],
    kinds: ['task'],
    concurrency: 2,
    runsInFlight: 0,
    startedAt: new Date().toISOString(),
  };
}

/** What workers serve: claims and lists filtered by agent, module and kind; active time; the worker registry. */
export function servingContract(store: () => Store): void {
  async function queue(
    sessionId: string,
    agent: string,
    kind = 'message',
    agentModule: string | null = null,
  ) {
    const { run } = await store().createRun({
      id: newId('run'),
      sessionId,
      agent,
      kind,
      input: {},
      idempotencyKey: null,
      agentModule,
    });
    return run;
  }

  it('claims and lists only the runs a filter serves', async () => {
    const session = await createSession(store());
    const alpha = await queue(session.id, 'alpha');
    const beta = await queue(session.id, 'beta', 'message', '/mods/beta.ts');
    const task = await queue(session.id, 'coder', 'task');
    const elsewhere = await queue(session.id, 'beta', 'message', '/other/beta.ts');
    const byModule = { agentModules: [{ module: '/mods/beta.ts', agents: ['beta'] }] };
    const listed = async (filter: Parameters<Store['claimRun']>[2]) =>
      (await store().listRuns({ limit: 10, ...(filter?.filter && { filter: filter.filter }) })).items.map(
        (run) => run.id,
      );
    expect(await listed({ filter: { agents: ['alpha'] } })).toEqual([alpha.id]);
    expect(await listed({ filter: byModule })).toEqual([beta.id]);
    expect(await listed({ filter: { kinds: ['task'], agents: ['beta'] } })).toEqual([
      elsewhere.id,
      task.id,
      beta.id,
    ]);
    expect(await store().claimRun('w', 60_000, { filter: { agents: ['nobody'] } })).toBeUndefined();
    expect((await store().claimRun('w', 60_000, { filter: byModule }))?.run.id).toBe(beta.id);
    expect((await store().claimRun('w', 60_000, { filter: { kinds: ['task'] } }))?.run.id).toBe(task.id);
    expect(await store().claimRun('w', 60_000, { runId: alpha.id, filter: byModule })).toBeUndefined();
    expect((await store().claimRun('w', 60_000, { filter: { agents: ['alpha'] } }))?.run.id).toBe(alpha.id);
    expect((await store().getRun(elsewhere.id))?.status).toBe('queued');
  });

  it('lists the agent modules of queued and running runs', async () => {
    const session = await createSession(store());
    await queue(session.id, 'a', 'message', '/mods/a.ts');
    await queue(session.id, 'a', 'message', '/mods/a.ts');
    const done = await queue(session.id, 'b', 'message', '/mods/b.ts');
    await store().updateRun(done.id, { status: 'succeeded' });
    await queue(session.id, 'c');
    expect(await store().listActiveAgentModules()).toEqual(['/mods/a.ts']);
  });

  it('records a run\u2019s active time with its lease renewals and patches', async () => {
    const session = await createSession(store());
    const run = await queue(session.id, 'a');
    const claim = await store().claimRun('w', 60_000, { runId: run.id });
    const fence = { runId: run.id, token: claim?.lease.token ?? '' };
    expect(await store().renewLease(fence, 60_000, { activeMs: 1_234 })).toBe(true);
    expect((await store().getRun(run.id))?.activeMs).toBe(1_234);
    expect(await store().renewLease(fence, 60_000)).toBe(true);
    expect((await store().getRun(run.id))?.activeMs).toBe(1_234);
    expect(await store().renewLease({ ...fence, token: 'stale' }, 60_000, { activeMs: 9_999 })).toBe(false);
    expect((await store().updateRun(run.id, { activeMs: 2_000 }, fence)).activeMs).toBe(2_000);
  });

  it('lists announced workers until they are removed or stop announcing', async () => {
    await store().announceWorker(announcement('wrk_a'), 60_000);
    await store().announceWorker(announcement('wrk_b'), 60_000);
    await store().announceWorker({ ...announcement('wrk_a'), runsInFlight: 2 }, 60_000);
    const workers = await store().listWorkers();
    expect(workers.map((worker) => [worker.id, worker.runsInFlight])).toEqual([
      ['wrk_a', 2],
      ['wrk_b', 0],
    ]);
    expect(workers[0]).toMatchObject({
      ...announcement('wrk_a'),
      runsInFlight: 2,
      startedAt: workers[0]?.startedAt,
    });
    expect(Date.parse(workers[0]?.lastHeartbeatAt ?? '')).toBeGreaterThan(0);
    expect(workers[0]?.expiresAt).toBeGreaterThan(Date.now());
    await store().removeWorker('wrk_b');
    await store().announceWorker(announcement('wrk_brief'), 50);
    await sleep(120);
    expect((await store().listWorkers()).map((worker) => worker.id)).toEqual(['wrk_a']);
  });
}
