import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Agent } from '../../core/agent.js';
import { errorMessage } from '../../core/errors.js';
import { agentModuleResolver, loadAgentFile, loadAgentsDir } from '../../runtime/agent-loader.js';
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
 * `baton worker`: executes queued runs and runs whose lease expired. Agents come from
 * `--agents <dir>`, `--agent <file>`, and the module path each run recorded when it started.
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
    .option('--until-idle', 'exit 0 once no run is queued or running')
    .option('--poll-interval <ms>', 'how often an idle worker looks for work', integerAtLeast(1))
    .addOption(leaseTtlOption());
  addDbOption(command).action(async (flags: WorkerFlags) => {
    const agents = await loadAgents(flags);
    await withStore(flags.db, async (store) => {
      const runtime = createRuntime({ store, agents, resolveAgent: agentModuleResolver() });
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
      process.stderr.write(`baton worker: ${worker.owner} started (concurrency ${flags.concurrency})\n`);
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
  const agents = flags.agents === undefined ? [] : [...(await loadAgentsDir(flags.agents)).values()];
  for (const file of flags.agent) agents.push(await loadAgentFile(file));
  return agents;
}
