import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Agent } from '../../core/agent.js';
import { errorMessage } from '../../core/errors.js';
import { agentModuleLoader, loadAgentFile, loadAgentsDir } from '../../runtime/agent-loader.js';
import { asUsage } from '../as-usage.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, leaseTtlOption } from '../options.js';
import { stopOnSignals } from '../stop-signals.js';

interface WorkerFlags {
  db?: string;
  agents?: string;
  agent: string[];
  concurrency: number;
  untilIdle?: boolean;
  leaseTtl?: number;
  pollInterval?: number;
}

/**
 * `baton worker`: executes queued runs and runs whose lease expired — only those it serves.
 * Given `--agents <dir>` / `--agent <file>` it serves exactly those agents and the agents
 * reachable from them; given neither, any run whose recorded agent module it can load. It
 * announces itself in the store (`baton workers list`) while it runs.
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
    .addOption(leaseTtlOption());
  addDbOption(command).action(async (flags: WorkerFlags) => {
    const agents = await loadAgents(flags);
    const told = flags.agents !== undefined || flags.agent.length > 0;
    await withStore(flags.db, async (store) => {
      const runtime = createRuntime({
        store,
        agents,
        ...(!told && { loadAgentModule: agentModuleLoader() }),
      });
      const stop = stopOnSignals();
      const worker = runtime.startWorker({
        concurrency: flags.concurrency,
        ...(flags.untilIdle && { untilIdle: true }),
        ...(flags.leaseTtl && { leaseTtlMs: flags.leaseTtl }),
        ...(flags.pollInterval && { pollIntervalMs: flags.pollInterval }),
        onRunSettled: (runId, settled) => process.stderr.write(`baton worker: run ${runId} ${settled}\n`),
        onStoreError: (error) =>
          process.stderr.write(`baton worker: store unavailable, retrying: ${errorMessage(error)}\n`),
      });
      const serving = told
        ? `agents ${agents.map((agent) => agent.name).join(', ')}`
        : 'recorded agent modules';
      process.stderr.write(
        `baton worker: ${worker.owner} started (concurrency ${flags.concurrency}; serves ${serving})\n`,
      );
      stop.signal.addEventListener('abort', () => void worker.stop(), { once: true });
      try {
        await worker.done;
      } finally {
        stop.dispose();
      }
      process.stderr.write(`baton worker: ${worker.owner} stopped\n`);
    });
  });
}

async function loadAgents(flags: WorkerFlags): Promise<Agent[]> {
  return asUsage(async () => {
    const agents = flags.agents === undefined ? [] : [...(await loadAgentsDir(flags.agents)).values()];
    for (const file of flags.agent) agents.push(await loadAgentFile(file));
    return agents;
  });
}
