import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Agent } from '../../core/agent.js';
import { errorMessage } from '../../core/errors.js';
import { agentModuleLoader, loadAgentFile, loadAgentsDir } from '../../runtime/agent-loader.js';
import type { LogLevel } from '../../telemetry/logger.js';
import { createLogger } from '../../telemetry/logger.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, leaseTtlOption, logLevelOption } from '../options.js';
import { pricesFromEnv } from '../prices.js';
import { stopOnSignals } from '../stop-signals.js';

interface WorkerFlags {
  db?: string;
  agents?: string;
  agent: string[];
  concurrency: number;
  untilIdle?: boolean;
  leaseTtl?: number;
  pollInterval?: number;
  logLevel: LogLevel;
}

/**
 * `baton worker`: executes queued runs and runs whose lease expired — only those it serves.
 * Given `--agents <dir>` / `--agent <file>` it serves exactly those agents and the agents
 * reachable from them; given neither, any run whose recorded agent module it can load. It
 * announces itself in the store (`baton workers list`) while it runs. Logs JSON lines on stderr.
 */
export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description('execute queued runs and resume runs whose worker died')
    .option('--agents <dir>', 'load every agent module in this directory')
    .option(
      '--agent <file>',
      'load this agent module (repeatable)',
      (file: string, files: string[]) => [...files, file],
      [],
    )
    .option('--concurrency <n>', 'runs executed at once', integerAtLeast(1), 1)
    .option('--until-idle', 'exit 0 once nothing this worker serves is runnable')
    .option('--poll-interval <ms>', 'how often an idle worker looks for work', integerAtLeast(1))
    .addOption(logLevelOption())
    .addOption(leaseTtlOption());
  addDbOption(command).action(async (flags: WorkerFlags) => {
    const logger = createLogger({ level: flags.logLevel });
    const agents = await loadAgents(flags);
    const prices = await pricesFromEnv();
    const told = flags.agents !== undefined || flags.agent.length > 0;
    await withStore(flags.db, async (store) => {
      const runtime = createRuntime({
        store,
        agents,
        ...(!told && { loadAgentModule: agentModuleLoader() }),
        ...(prices && { prices }),
      });
      const stop = stopOnSignals();
      const worker = runtime.startWorker({
        concurrency: flags.concurrency,
        ...(flags.untilIdle && { untilIdle: true }),
        ...(flags.leaseTtl && { leaseTtlMs: flags.leaseTtl }),
        ...(flags.pollInterval && { pollIntervalMs: flags.pollInterval }),
        onRunSettled: (runId, settled) => logger.info(`run ${settled}`, { runId, settled }),
        onStoreError: (error) => logger.warn('store unavailable, retrying', { reason: errorMessage(error) }),
      });
      logger.info('worker started', {
        owner: worker.owner,
        concurrency: flags.concurrency,
        serves: told ? agents.map((agent) => agent.name) : 'recorded agent modules',
      });
      stop.signal.addEventListener('abort', () => void worker.stop(), { once: true });
      try {
        await worker.done;
      } finally {
        stop.dispose();
      }
      logger.info('worker stopped', { owner: worker.owner });
    });
  });
}

async function loadAgents(flags: WorkerFlags): Promise<Agent[]> {
  const agents = flags.agents === undefined ? [] : [...(await loadAgentsDir(flags.agents)).values()];
  for (const file of flags.agent) agents.push(await loadAgentFile(file));
  return agents;
}
