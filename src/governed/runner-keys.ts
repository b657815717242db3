import type { MarkStore } from '../store/mark-store.js';

/** The mark scope of registered runner keys; each key is `<pool>:<raw hex public key>`. */
const RUNNER_KEYS_SCOPE = 'runner.keys';

/** A runner key registered with the plane, and the pool it was registered for. */
export interface RunnerKey {
  pool: string;
  publicKey: string;
}

/** Records that `publicKey` is a runner key of `pool` (idempotent; kept across restarts). */
export async function registerRunnerKey(store: Pick<MarkStore, 'putMark'>, key: RunnerKey): Promise<void> {
  await store.putMark(RUNNER_KEYS_SCOPE, `${key.pool}:${key.publicKey}`);
}

/** Every registered runner key, sorted by pool then key. */
export async function listRunnerKeys(store: Pick<MarkStore, 'listMarks'>): Promise<RunnerKey[]> {
  return (await store.listMarks(RUNNER_KEYS_SCOPE)).map((mark) => {
    const colon = mark.lastIndexOf(':');
    return { pool: mark.slice(0, colon), publicKey: mark.slice(colon + 1) };
  });
}

/** True when `publicKey` was registered for `pool`. */
export async function isRunnerKey(store: Pick<MarkStore, 'listMarks'>, key: RunnerKey): Promise<boolean> {
  return (await listRunnerKeys(store)).some(
    (entry) => entry.pool === key.pool && entry.publicKey === key.publicKey,
  );
}
