import { createRuntime } from '../baton-runtime.js';
import type { Agent } from '../core/agent.js';
import type { PriceTable } from '../model/pricing.js';
import { agentModuleLoader, loadAgentsDir } from '../runtime/agent-loader.js';
import type { Runtime, Worker } from '../runtime/types.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { AppOptions } from './app.js';
import { createApp } from './app.js';
import type { RunningServer } from './serve.js';
import { serve } from './serve.js';

/** Options of {@link startBatonServer}: what `baton serve` is configured with. */
export interface BatonServerOptions extends Omit<AppOptions, 'runtime'> {
  /** Directory of agent modules to load; none when absent. */
  agentsDir?: string;
  /** Default 7070; `0` picks a free port. */
  port?: number;
  /** Store spec for `openStore` (`--db`): a SQLite path or a `postgres://` URL. */
  db?: string;
  /** Claim loops executing runs in this process (default 2; `0` = serve only). */
  workers?: number;
  /** Lease TTL for this process's workers, in ms. */
  leaseTtlMs?: number;
  /** Prices added to the built-in table (`BATON_PRICES`). */
  prices?: PriceTable;
}

/** A running `baton serve`: the HTTP server, its runtime and its workers. */
export interface BatonServer {
  readonly url: string;
  readonly port: number;
  readonly runtime: Runtime;
  readonly agents: ReadonlyMap<string, Agent>;
  /**
   * Drains: stops accepting requests, stops the workers (running steps commit, leases are
   * released so another process resumes at once), then closes the store.
   */
  stop(): Promise<void>;
}

/** Loads the agents, opens the store, starts the workers and listens. */
export async function startBatonServer(options: BatonServerOptions = {}): Promise<BatonServer> {
  const {
    agentsDir,
    port = 7070,
    host = '127.0.0.1',
    db,
    workers = 2,
    leaseTtlMs,
    prices,
    ...appOptions
  } = options;
  const agents = agentsDir === undefined ? new Map<string, Agent>() : await loadAgentsDir(agentsDir);
  const store = await openStore(db);
  let runtime: Runtime | undefined;
  let server: RunningServer | undefined;
  try {
    // Runs started by `baton run <file>` on the same database name their module; load it on demand.
    runtime = createRuntime({
      store,
      agents,
      loadAgentModule: agentModuleLoader(),
      ...(leaseTtlMs !== undefined && { leaseTtlMs }),
      ...(prices && { prices }),
    });
    server = await serve({ app: createApp({ ...appOptions, host, runtime }), port, host });
  } catch (error) {
    await runtime?.close();
    await store.close();
    throw error;
  }
  const running: Worker[] = workers > 0 ? [runtime.startWorker({ concurrency: workers })] : [];
  return {
    url: server.url,
    port: server.port,
    runtime,
    agents,
    stop: drain(server, runtime, running, store),
  };
}

function drain(
  server: RunningServer,
  runtime: Runtime,
  workers: Worker[],
  store: Store,
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      // Both at once: the workers stop taking work now rather than after the HTTP grace period,
      // so a run in flight stops at its next step boundary instead of running on meanwhile.
      await Promise.all([server.close(), ...workers.map((worker) => worker.stop())]);
      await runtime.close();
      await store.close();
    })();
    return stopping;
  };
}
