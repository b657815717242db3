import { realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createRuntime } from '../baton-runtime.js';
import { PlaneStore } from '../client/plane-store.js';
import type { BatonConfig } from '../config/load-config.js';
import type { Agent } from '../core/agent.js';
import { errorMessage, UserError } from '../core/errors.js';
import { issueReceipt } from '../governed/issue.js';
import { checkPoolName } from '../governed/pool-name.js';
import { runnerKeyStatement } from '../governed/runner-plane.js';
import type { PriceTable } from '../model/pricing.js';
import { loadOrCreateKeys } from '../proof/keys.js';
import { signStatement } from '../proof/signature.js';
import { agentModuleLoader } from '../runtime/agent-loader.js';
import { isRunEnded } from '../store/records.js';
import type { RunRecord } from '../store/run-store.js';
import type { Logger } from '../telemetry/logger.js';
import { runtimeOptions } from './runtime-options.js';
import { stopOnSignals } from './stop-signals.js';

/** What `baton worker --pool` needs besides the configuration. */
export interface RunnerSetup {
  agents: Agent[];
  prices: PriceTable | undefined;
  logger: Logger;
  telemetry: object;
}

/**
 * `baton worker --pool <name> --plane <url>`: a runner. It opens no database: it registers the
 * key of its own Baton home with the plane, announces itself, claims its pool's governed runs
 * over HTTP, executes them in the sandbox on this machine, and completes each finished run with
 * a receipt signed by its key. Its Baton home is hidden from every command it runs.
 */
export async function runRunner(config: BatonConfig, setup: RunnerSetup): Promise<void> {
  const pool = checkPoolName(config.pool ?? '');
  if (config.plane === undefined)
    throw new UserError('invalid_config', '--pool needs --plane <url>: the plane a runner works for');
  const keys = await loadOrCreateKeys(config.home);
  const stop = stopOnSignals(config.env);
  const store = new PlaneStore({
    // Stopping, it no longer waits out a plane that is down (see PlaneStoreOptions.signal).
    signal: stop.signal,
    url: config.plane,
    pool,
    keys,
    hidePaths: [await realpath(config.home)],
    ...(config.runnerToken.length > 0 && { token: config.runnerToken.at(-1) as string }),
  });
  await store
    .registerKey(signStatement(runnerKeyStatement(pool, keys.publicKeyHex), keys))
    .catch((error: unknown) => {
      stop.dispose();
      throw error;
    });
  const told = config.agents !== undefined || config.agent.length > 0;
  const runtime = createRuntime({
    store,
    agents: setup.agents,
    releaseSecrets: (run) => store.releaseSecrets(run.id),
    ...(!told && { loadAgentModule: agentModuleLoader() }),
    ...runtimeOptions(config, setup.prices, setup.logger),
    ...setup.telemetry,
  });
  const { logger } = setup;
  const complete = async (run: RunRecord): Promise<void> => {
    try {
      const current = await store.getRun(run.id);
      if (current === undefined || !isRunEnded(current.status)) return;
      const runner = { kind: 'pool', host: hostname(), pool, id: worker.owner };
      await issueReceipt(store, run.id, keys, runner);
      logger.info('run completed', { runId: run.id, status: current.status });
    } catch (error) {
      // The run stays ended without a receipt; the plane refuses nothing else it could lose.
      logger.error('could not complete the run with a receipt', {
        runId: run.id,
        reason: errorMessage(error),
      });
    } finally {
      store.forget(run.id);
    }
  };
  const worker = runtime.startWorker({
    concurrency: config.concurrency,
    pollIntervalMs: config.pollInterval,
    // With several runs held at once, each one's uploads (its patch, its receipt) are its own.
    runScope: (run, work) => store.withinRun(run.id, work),
    afterRun: async (run, settled) => {
      if (settled === 'ended') await complete(run);
      else store.forget(run.id);
    },
    onRunSettled: (runId, settled) => logger.info(`run ${settled}`, { runId, settled }),
    onStoreError: (error) => logger.warn('plane unavailable, retrying', { reason: errorMessage(error) }),
  });
  logger.info('runner started', {
    owner: worker.owner,
    pool,
    plane: config.plane,
    publicKey: keys.publicKeyHex,
  });
  stop.signal.addEventListener('abort', () => void worker.stop(), { once: true });
  try {
    await worker.done;
  } finally {
    stop.dispose();
  }
  logger.info('runner stopped', { owner: worker.owner });
}
