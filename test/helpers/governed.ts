import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../../src/baton-runtime.js';
import { type StartExecOptions, startExec } from '../../src/governed/start-exec.js';
import { loadOrCreateKeys, type SigningKeys } from '../../src/proof/keys.js';
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
  const runtime = createRuntime({ store });
  try {
    await runtime.execute(started.runId);
  } finally {
    await runtime.close();
  }
  return started.runId;
}
