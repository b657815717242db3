import { expect, it } from 'vitest';
import type { WorkerAnnouncement, WorkerRegistry } from '../../store/worker-registry.js';
import { sleep } from './fixtures.js';

function announcement(id: string): WorkerAnnouncement {
  return {
    id,
    host: 'host-a',
    pid: 42,
    agents: ['alpha'],
    agentModules: [],
    loadsModules: false,
    unloadableModules: [],
    kinds: ['exec'],
    kindAgents: [{ kind: 'task', agents: ['alpha', 'researcher'] }],
    concurrency: 2,
    runsInFlight: 0,
    startedAt: new Date().toISOString(),
  };
}

/** The registry of live workers: announcements, heartbeats, expiry and removal. */
export function workerContract(store: () => WorkerRegistry): void {
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
