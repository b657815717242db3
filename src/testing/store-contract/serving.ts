import { expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { RunStore } from '../../store/run-store.js';
import { createSession } from './fixtures.js';

/** What workers serve: claims and lists filtered by agent, module and kind; active time. */
export function servingContract(store: () => RunStore): void {
  async function queue(
    sessionId: string,
    agent: string,
    kind = 'message',
    agentModule: string | null = null,
    pool: string | null = null,
  ) {
    const { run } = await store().createRun({
      id: newId('run'),
      sessionId,
      agent,
      kind,
      input: {},
      idempotencyKey: null,
      agentModule,
      pool,
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
    const listed = async (filter: Parameters<RunStore['claimRun']>[2]) =>
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

  it('matches runs by agent or module only of the agent kinds a filter names', async () => {
    const session = await createSession(store());
    const message = await queue(session.id, 'alpha', 'message');
    const unknown = await queue(session.id, 'alpha', 'approval');
    const fromModule = await queue(session.id, 'beta', 'approval', '/mods/beta.ts');
    const exec = await queue(session.id, 'exec', 'exec');
    const filter = {
      kinds: ['exec'],
      agents: ['alpha'],
      agentModules: [{ module: '/mods/beta.ts', agents: ['beta'] }],
      agentKinds: ['message', 'workspace'],
    };
    const listed = (await store().listRuns({ limit: 10, filter })).items.map((run) => run.id);
    expect(listed).toEqual([exec.id, message.id]);
    expect((await store().claimRun('w', 60_000, { filter }))?.run.id).toBe(message.id);
    expect((await store().claimRun('w', 60_000, { filter }))?.run.id).toBe(exec.id);
    expect(await store().claimRun('w', 60_000, { filter })).toBeUndefined();
    expect((await store().getRun(unknown.id))?.status).toBe('queued');
    expect((await store().getRun(fromModule.id))?.status).toBe('queued');
    const { agentKinds: _limited, ...anyKind } = filter;
    expect((await store().claimRun('w', 60_000, { filter: anyKind }))?.run.id).toBe(unknown.id);
  });

  it('matches runs of a kind claimed for some agents only by those agents', async () => {
    const session = await createSession(store());
    const coder = await queue(session.id, 'coder', 'task');
    const gamma = await queue(session.id, 'gamma', 'task');
    const message = await queue(session.id, 'coder', 'message');
    const filter = { kindAgents: [{ kind: 'task', agents: ['coder', 'alpha'] }], agentKinds: ['message'] };
    expect((await store().listRuns({ limit: 10, filter })).items.map((run) => run.id)).toEqual([coder.id]);
    expect((await store().claimRun('w', 60_000, { filter }))?.run.id).toBe(coder.id);
    expect(await store().claimRun('w', 60_000, { filter })).toBeUndefined();
    expect((await store().getRun(gamma.id))?.status).toBe('queued');
    expect((await store().getRun(message.id))?.status).toBe('queued');
  });

  it('claims a pool run only for a filter of its pool, and a run of no pool only without one', async () => {
    const session = await createSession(store());
    const local = await queue(session.id, 'exec', 'exec');
    const gpu = await queue(session.id, 'exec', 'exec', null, 'gpu');
    const other = await queue(session.id, 'exec', 'exec', null, 'other');
    expect((await store().getRun(gpu.id))?.pool).toBe('gpu');
    const kinds = ['exec'];
    expect(
      (await store().listRuns({ limit: 10, filter: { kinds, pool: 'gpu' } })).items.map((run) => run.id),
    ).toEqual([gpu.id]);
    expect((await store().claimRun('w', 60_000, { filter: { kinds, pool: 'gpu' } }))?.run.id).toBe(gpu.id);
    expect(await store().claimRun('w', 60_000, { filter: { kinds, pool: 'gpu' } })).toBeUndefined();
    expect(await store().claimRun('w', 60_000, { runId: other.id, filter: { kinds } })).toBeUndefined();
    expect((await store().claimRun('w', 60_000, { filter: { kinds } }))?.run.id).toBe(local.id);
    expect(await store().claimRun('w', 60_000, { filter: { kinds } })).toBeUndefined();
    expect((await store().getRun(other.id))?.status).toBe('queued');
  });

  it('lists the agent modules of queued and running runs', async () => {
    const session = await createSession(store());
    await queue(session.id, 'a', 'message', '/mods/a.ts');
    await queue(session.id, 'a', 'message', '/mods/a.ts');
    const done = await queue(session.id, 'b', 'message', '/mods/b.ts');
    await store().updateRun(done.id, { status: 'succeeded' });
    await queue(session.id, 'c');
    expect(await store().listActiveAgentModules()).toEqual(['/mods/a.ts']);
    await queue(session.id, 'p', 'message', '/mods/gpu.ts', 'gpu');
    expect(await store().listActiveAgentModules({ pool: 'gpu' })).toEqual(['/mods/gpu.ts']);
    expect(await store().listActiveAgentModules({ pool: 'other' })).toEqual([]);
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
}
