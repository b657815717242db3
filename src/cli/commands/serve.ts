import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { poolAgents } from '../../governed/handoff/pool-agents.js';
import { ensureBatonHome } from '../../proof/baton-home.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import { isLoopbackHost } from '../../server/host-guard.js';
import { runnerAccess } from '../../server/runner-access.js';
import { startBatonServer } from '../../server/start-server.js';
import { clockFromFile } from '../clock-file.js';
import { addConfigOptions, configured } from '../config-options.js';
import { planeSecrets } from '../handoff/plane-secrets.js';
import { cliLogger, cliTelemetry } from '../observability.js';
import { openCliStore } from '../open-cli-store.js';
import { loadPrices } from '../prices.js';
import { runtimeOptions } from '../runtime-options.js';
import { sandboxRunOptions } from '../sandbox-options.js';
import { stopOnSignals } from '../stop-signals.js';

const DEFAULT_AGENTS_DIR = 'agents';

/**
 * `baton serve`: the HTTP API over the store, with in-process workers. Prints the URL once
 * listening and logs JSON lines on stderr; SIGINT/SIGTERM drain (stop accepting, let running
 * steps commit, release leases, close the store) and exit 0.
 */
export function registerServe(program: Command, env: Environment): void {
  addConfigOptions(
    program.command('serve').description('serve the HTTP API and execute runs'),
    'serve',
  ).action(
    configured(env, async (config) => {
      const logger = cliLogger(config);
      const telemetry = await cliTelemetry(config, logger);
      const prices = await loadPrices(config);
      if (config.auth === 'none' && config.host !== undefined && !isLoopbackHost(config.host)) {
        logger.warn('--auth none on a non-loopback host lets anyone on the network in', {
          host: config.host,
        });
      }
      const agentsDir = config.agents ?? (existsSync(DEFAULT_AGENTS_DIR) ? DEFAULT_AGENTS_DIR : undefined);
      if (agentsDir === undefined) {
        logger.info(`no ./${DEFAULT_AGENTS_DIR} directory; serving without agents`);
      }
      // `<project>/channels/` beside `<project>/agents/`, as `baton init` lays a project out.
      const besideAgents = join(dirname(agentsDir ?? DEFAULT_AGENTS_DIR), 'channels');
      const channelsDir = config.channels ?? (existsSync(besideAgents) ? besideAgents : undefined);
      // The plane signs hand-off contracts with the key of its Baton home; its home and store
      // are hidden from the sandboxes of runners on the same machine.
      await ensureBatonHome(config.home);
      const { batonHome, storePath } = sandboxRunOptions(config);
      const handoffs = {
        keys: await loadOrCreateKeys(config.home),
        secrets: await planeSecrets(config),
        poolAgents: poolAgents(config.poolAgents),
        hostEnv: config.env,
        ...(batonHome !== undefined && { batonHome }),
        ...(storePath !== undefined && { storePath }),
      };
      const stop = stopOnSignals(config.env);
      const server = await startBatonServer({
        handoffs,
        auth: config.authOptions,
        runnerAccess: runnerAccess(config.runnerToken, config.auth),
        runnerBlobQuota: { maxBlobs: config.runnerBlobCount, maxBytes: config.runnerBlobQuota },
        blobUploadQuota: { maxBlobs: config.blobCount, maxBytes: config.blobQuota },
        workers: config.workers,
        port: config.port,
        logger,
        env: config.env,
        allowedHosts: config.allowedHost,
        corsOrigins: config.corsOrigin,
        openStore: () => openCliStore(config, logger),
        runtime: { ...runtimeOptions(config, prices, logger), ...telemetry.options },
        metrics: telemetry.options.metrics,
        metricsPublic: config.metricsPublic,
        ...(config.host !== undefined && { host: config.host }),
        ...(agentsDir !== undefined && { agentsDir }),
        ...(channelsDir !== undefined && { channelsDir }),
        // A clock file is polled briskly: the test moving it waits on what the ticks did.
        ...(config.clockFile !== undefined && { now: clockFromFile(config.clockFile), schedulePollMs: 50 }),
        ...(config.bodyLimit !== undefined && { bodyLimit: config.bodyLimit }),
        repoRoots: config.repoRoot.length > 0 ? config.repoRoot : [process.cwd()],
      }).catch((error: unknown) => {
        stop.dispose();
        throw error;
      });
      logger.info('listening', {
        url: server.url,
        agents: [...server.agents.keys()],
        channels: server.channels,
        workers: config.workers,
      });
      process.stdout.write(`Baton listening on ${server.url}\n`);
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      logger.info('draining', { signal: stop.received() ?? 'signal' });
      try {
        await server.stop();
        await telemetry.shutdown();
      } finally {
        stop.dispose();
      }
      logger.info('stopped');
    }),
  );
}
