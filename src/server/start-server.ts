import { createRuntime, type RuntimeOptions } from '../baton-runtime.js';
import { loadChannelsDir } from '../channels/load-channels.js';
import { WebhookReceiver } from '../channels/webhook-receiver.js';
import type { Agent } from '../core/agent.js';
import { agentModuleLoader, loadAgentsDir } from '../runtime/agent-loader.js';
import type { Runtime, Worker } from '../runtime/types.js';
import { loadSchedules } from '../schedules/load-schedules.js';
import { Scheduler } from '../schedules/scheduler.js';
import type { Store } from '../store/store.js';
import type { AppOptions } from './app.js';
import { createApp } from './app.js';
import type { RunningServer } from './serve.js';
import { serve } from './serve.js';

/** Options of {@link startBatonServer}: what `baton serve` is configured with. */
export interface BatonServerOptions extends Omit<AppOptions, 'runtime'> {
  /** Directory of agent modules to load; none when absent. */
  agentsDir?: string;
  /** Directory of webhook channel modules, mounted at `POST /hooks/<name>`; none when absent. */
  channelsDir?: string;
  /** Run the agents' schedules (`agents/<name>/schedules/`) in this process (default true). */
  schedules?: boolean;
  /** Epoch ms now, for the scheduler (default `Date.now`; tests inject a clock). */
  now?: () => number;
  /** How often the scheduler looks for due ticks, in ms (default 1 000). */
  schedulePollMs?: number;
  /** Default 7070; `0` picks a free port. */
  port?: number;
  /** Opens the store to serve (the CLI's `--db`); the server closes it when it stops. */
  openStore: () => Promise<Store>;
  /** Claim loops executing runs in this process (default 2; `0` = serve only). */
  workers?: number;
  /** Options of the server's runtime besides its store and agents: env, lease TTL, prices... */
  runtime?: Omit<RuntimeOptions, 'store' | 'agents' | 'loadAgentModule'>;
}

/** A running `baton serve`: the HTTP server, its runtime and its workers. */
export interface BatonServer {
  readonly url: string;
  readonly port: number;
  readonly runtime: Runtime;
  readonly agents: ReadonlyMap<string, Agent>;
  /** The agents' schedules. */
  readonly scheduler: Scheduler;
  /** The names of the webhook channels mounted at `POST /hooks/<name>`. */
  readonly channels: readonly string[];
  /**
   * Drains: stops accepting requests, stops the workers (running steps commit, leases are
   * released so another process resumes at once), then closes the store.
   */
  stop(): Promise<void>;
}

/** Loads the agents, opens the store, starts the workers and listens. */
export async function startBatonServer(options: BatonServerOptions): Promise<BatonServer> {
  const {
    agentsDir,
    channelsDir,
    schedules: runSchedules = true,
    now,
    schedulePollMs,
    port = 7070,
    host = '127.0.0.1',
    openStore,
    workers = 2,
    runtime: settings,
    ...appOptions
  } = options;
  const agents = agentsDir === undefined ? new Map<string, Agent>() : await loadAgentsDir(agentsDir);
  const channels =
    channelsDir === undefined ? new Map() : await loadChannelsDir(channelsDir, appOptions.env ?? {});
  const schedules = agentsDir === undefined ? [] : await loadSchedules(agentsDir);
  const store = await openStore();
  let runtime: Runtime | undefined;
  let webhooks: WebhookReceiver | undefined;
  let scheduler: Scheduler | undefined;
  let server: RunningServer | undefined;
  try {
    // Runs started by `baton run <file>` on the same database name their module; load it on demand.
    runtime = createRuntime({ ...settings, store, agents, loadAgentModule: agentModuleLoader() });
    webhooks = new WebhookReceiver({
      runtime,
      channels,
      env: appOptions.env ?? {},
      ...(appOptions.logger && { logger: appOptions.logger }),
    });
    scheduler = new Scheduler({
      runtime,
      schedules,
      ...(now && { now }),
      ...(schedulePollMs !== undefined && { pollMs: schedulePollMs }),
      ...(appOptions.logger && { logger: appOptions.logger }),
    });
    server = await serve({
      app: createApp({ ...appOptions, host, runtime, webhooks, scheduler }),
      port,
      host,
    });
  } catch (error) {
    await runtime?.close();
    await store.close();
    throw error;
  }
  const running: Worker[] = workers > 0 ? [runtime.startWorker({ concurrency: workers })] : [];
  if (runSchedules) scheduler.start();
  return {
    url: server.url,
    port: server.port,
    runtime,
    agents,
    channels: webhooks.names,
    scheduler,
    stop: drain(server, runtime, running, store, webhooks, scheduler),
  };
}

function drain(
  server: RunningServer,
  runtime: Runtime,
  workers: Worker[],
  store: Store,
  webhooks: WebhookReceiver,
  scheduler: Scheduler,
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      // Both at once: the workers stop taking work now rather than after the HTTP grace period,
      // so a run in flight stops at its next step boundary instead of running on meanwhile.
      await Promise.all([server.close(), scheduler.stop(), ...workers.map((worker) => worker.stop())]);
      await webhooks.close();
      await runtime.close();
      await store.close();
    })();
    return stopping;
  };
}
