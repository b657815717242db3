import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../../src/baton-runtime.js';
import type { BatonEvent } from '../../src/core/events.js';
import { type StartExecOptions, startExec } from '../../src/governed/start-exec.js';
import { loadOrCreateKeys, type SigningKeys } from '../../src/proof/keys.js';
import type { RunRecord } from '../../src/store/run-store.js';
import type { Store } from '../../src/store/store.js';

/** A throwaway Baton home with its key pair (under the system temp dir unless `parent` says otherwise). */
export async function tempKeys(
  parent: string = tmpdir(),
): Promise<{ home: string; keys: SigningKeys; remove(): void }> {
  const home = mkdtempSync(join(parent, 'baton-home-'));
  return {
    home,
    keys: await loadOrCreateKeys(home),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Runs `baton exec` in-process: starts the governed run and executes it with a runtime over `store`. */
export async function execInProcess(
  store: Store,
  options: Omit<StartExecOptions, 'command'> & { command: string[] },
): Promise<string> {
  const started = await startExec(store, options);
  await executeOnce(store, started.runId);
  return started.runId;
}

/** Executes one queued run with a runtime of its own over `store` (host `env` as given), then closes it. */
export async function executeOnce(store: Store, runId: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const runtime = createRuntime({ store, ...(env && { env }) });
  try {
    await runtime.execute(runId);
  } finally {
    await runtime.close();
  }
}

/** A run's record and its own events, in order (its session's log also holds other runs'). */
export async function runWithEvents(
  store: Pick<Store, 'getRun' | 'readEvents'>,
  runId: string,
): Promise<{ record: RunRecord | undefined; events: BatonEvent[] }> {
  const record = await store.getRun(runId);
  const events = (await store.readEvents(record?.sessionId ?? '')).filter((event) => event.runId === runId);
  return { record, events };
}
