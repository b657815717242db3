import { expect, it } from 'vitest';
import { LeaseLostError, ValidationError } from '../../core/errors.js';
import type { RunStore } from '../../store/run-store.js';
import { createRun, createSession, sleep } from './fixtures.js';

/** Leases: claiming runnable runs exclusively, reclaiming expired ones, renewing and releasing. */
export function leaseContract(store: () => RunStore): void {
  it('claims the oldest queued run with a fresh lease and marks it running', async () => {
    const session = await createSession(store());
    const oldest = await createRun(store(), session.id);
    await createRun(store(), session.id);
    const before = Date.now();
    const claim = await store().claimRun('worker-1', 30_000);
    expect(claim?.run).toMatchObject({ id: oldest.id, status: 'running', lease: claim?.lease });
    expect(claim?.lease.owner).toBe('worker-1');
    expect(claim?.lease.token.length).toBeGreaterThanOrEqual(16);
    expect(claim?.lease.expiresAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(await store().getRun(oldest.id)).toEqual(claim?.run);
  });

  it('claims nothing when no run is runnable', async () => {
    expect(await store().claimRun('worker-1', 30_000)).toBeUndefined();
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    await store().updateRun(run.id, { status: 'waiting' });
    expect(await store().claimRun('worker-1', 30_000)).toBeUndefined();
  });

  it('never hands one run to two claimers claiming in parallel', async () => {
    const session = await createSession(store());
    const runs = [];
    for (let index = 0; index < 8; index += 1) runs.push(await createRun(store(), session.id));
    const claims = await Promise.all(
      Array.from({ length: 24 }, (_, index) => store().claimRun(`worker-${index}`, 60_000)),
    );
    const claimed = claims.flatMap((claim) => (claim ? [claim.run.id] : []));
    expect(claimed).toHaveLength(8);
    expect(new Set(claimed)).toEqual(new Set(runs.map((run) => run.id)));
  });

  it('does not reclaim a live lease but reclaims an expired one with a new token', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const first = await store().claimRun('worker-1', 1);
    await sleep(20);
    const second = await store().claimRun('worker-2', 60_000);
    expect(second?.run.id).toBe(run.id);
    expect(second?.lease.owner).toBe('worker-2');
    expect(second?.lease.token).not.toBe(first?.lease.token);
    expect(await store().claimRun('worker-3', 60_000)).toBeUndefined();
    const staleFence = { runId: run.id, token: first?.lease.token ?? '' };
    await expect(
      store().append(session.id, [{ type: 'step.started', data: { step: 0 } }], {
        runId: run.id,
        fence: staleFence,
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store().renewLease(staleFence, 60_000)).toBe(false);
  });

  it('claims a specific run only when asked for it and only when it is runnable', async () => {
    const session = await createSession(store());
    await createRun(store(), session.id);
    const wanted = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000, { runId: wanted.id });
    expect(claim?.run.id).toBe(wanted.id);
    expect(await store().claimRun('worker-2', 60_000, { runId: wanted.id })).toBeUndefined();
    expect(await store().claimRun('worker-2', 60_000, { runId: 'run_missing' })).toBeUndefined();
  });

  it('renews a lease only with its current token', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 1_000);
    const token = claim?.lease.token ?? '';
    expect(await store().renewLease({ runId: run.id, token: 'wrong' }, 120_000)).toBe(false);
    expect((await store().getRun(run.id))?.lease?.expiresAt).toBe(claim?.lease.expiresAt);
    expect(await store().renewLease({ runId: run.id, token }, 120_000)).toBe(true);
    const renewed = await store().getRun(run.id);
    expect(renewed?.lease).toMatchObject({ owner: 'worker-1', token });
    expect(renewed?.lease?.expiresAt).toBeGreaterThan(claim?.lease.expiresAt ?? 0);
    expect(await store().renewLease({ runId: 'run_missing', token }, 1_000)).toBe(false);
  });

  it('releases a lease only with its current token, leaving the run claimable', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    const claim = await store().claimRun('worker-1', 60_000);
    const token = claim?.lease.token ?? '';
    await store().releaseLease({ runId: run.id, token: 'wrong' });
    expect((await store().getRun(run.id))?.lease?.token).toBe(token);
    await store().releaseLease({ runId: run.id, token });
    const released = await store().getRun(run.id);
    expect(released).toMatchObject({ status: 'running', lease: null });
    expect((await store().claimRun('worker-2', 60_000))?.run.id).toBe(run.id);
  });

  it('rejects a lease time-to-live that is not a positive number', async () => {
    const session = await createSession(store());
    const run = await createRun(store(), session.id);
    await expect(store().claimRun('worker-1', 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(store().claimRun('worker-1', Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    expect((await store().getRun(run.id))?.status).toBe('queued');
    const claim = await store().claimRun('worker-1', 60_000);
    await expect(
      store().renewLease({ runId: run.id, token: claim?.lease.token ?? '' }, -5),
    ).rejects.toBeInstanceOf(ValidationError);
  });
}
