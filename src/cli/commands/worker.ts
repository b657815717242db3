import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonConfig } from '../../config/load-config.js';
import type { Agent } from '../../core/agent.js';
import type { Environment } from '../../core/environment.js';
import { errorMessage } from '../../core/errors.js';
import { agentModuleLoader, loadAgentFile, loadAgentsDir } from '../../runtime/agent-loader.js';
import { loadSchedules } from '../../schedules/load-schedules.js';
import { Scheduler } from '../../schedules/scheduler.js';
import { clockFromFile } from '../clock-file.js';
import { addConfigOptions, configured } from '../config-options.js';
import { serveMetrics } from '../metrics-server.js';
import { cliLogger, cliTelemetry } from '../observability.js';
import { withStore } from '../open-cli-store.js';
import { loadPrices } from '../prices.js';
import { runRunner } from '../runner.js';
import { runtimeOptions } from '../runtime-options.js';
import { stopOnSignals } from '../stop-signals.js';

/**
 * `baton worker`: executes queued runs and runs whose lease expired — only those it serves.
 * Given `--agents <dir>` / `--agent <file>` it serves exactly those agents and the agents
 * reachable from them; given neither, any run whose recorded agent module it can load. It
 * announces itself in the store (`baton workers list`) while it runs. Logs JSON lines on stderr.
 * With `--pool <name> --plane <url>` it is a runner of that pool instead (see `runRunner`).
 */
export function registerWorker(program: Command, env: Environment): void {
  addConfigOptions(
    program.command('worker').description('execute queued runs and resume runs whose worker died'),
    'worker',
  ).action(
    configured(env, async (config) => {
      const logger = cliLogger(config);
      const telemetry = await cliTelemetry(config, logger);
      const agents = await loadAgents(config);
      const prices = await loadPrices(config);
      if (config.pool !== undefined) {
        // A runner of a pool holds no database: the plane at --plane is its store.
        await runRunner(config, { agents, prices, logger, telemetry: telemetry.options });
        await telemetry.shutdown();
        return;
      }
      const told = config.agents !== undefined || config.agent.length > 0;
      await withStore(
        config,
        async (store) => {
          const runtime = createRuntime({
            store,
            agents,
            ...(!told && { loadAgentModule: agentModuleLoader() }),
            ...runtimeOptions(config, prices, logger),
            ...telemetry.options,
          });
          const metricsServer =
            config.metricsPort === undefined
              ? undefined
              : await serveMetrics(telemetry.options.metrics, config.metricsPort, logger);
          const stop = stopOnSignals(config.env);
          const worker = runtime.startWorker({
            concurrency: config.concurrency,
            ...(config.untilIdle && { untilIdle: true }),
            pollIntervalMs: config.pollInterval,
            onRunSettled: (runId, settled) => logger.info(`run ${settled}`, { runId, settled }),
            onStoreError: (error) =>
              logger.warn('store unavailable, retrying', { reason: errorMessage(error) }),
          });
          logger.info('worker started', {
            owner: worker.owner,
            concurrency: config.concurrency,
            serves: told ? agents.map((agent) => agent.name) : 'recorded agent modules',
          });
          const scheduler = config.schedules
            ? new Scheduler({
                runtime,
                schedules: await loadSchedules(config.agents ?? 'agents'),
                logger,
                ...(config.clockFile !== undefined && { now: clockFromFile(config.clockFile), pollMs: 50 }),
              })
            : undefined;
          scheduler?.start();
          stop.signal.addEventListener('abort', () => void worker.stop(), { once: true });
          try {
            await worker.done;
          } finally {
            await scheduler?.stop();
            stop.dispose();
            await metricsServer?.close();
            await telemetry.shutdown();
          }
          logger.info('worker stopped', { owner: worker.owner });
        },
        logger,
      );
    }),
  );
}

async function loadAgents(config: Pick<BatonConfig, 'agents' | 'agent'>): Promise<Agent[]> {
  const agents = config.agents === undefined ? [] : [...(await loadAgentsDir(config.agents)).values()];
  for (const file of config.agent) agents.push(await loadAgentFile(file));
  return agents;
}
