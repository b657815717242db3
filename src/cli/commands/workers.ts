import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { workerView } from '../../runtime/views.js';
import type { WorkerRecord } from '../../store/worker-registry.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';

/** `baton workers list [--json]`: the live workers announced in the store. */
export function registerWorkers(program: Command, env: Environment): void {
  const workers = program.command('workers').description('list the workers serving this database');
  addConfigOptions(
    workers
      .command('list')
      .description('list live workers: what they serve, how busy they are, their last heartbeat'),
    'workers list',
  ).action(
    configured(env, async (config) => {
      await withStore(config, async (store) => {
        const live = await store.listWorkers();
        if (config.json) return writeJsonLine(live.map(workerView));
        if (live.length === 0) process.stderr.write('no live workers\n');
        for (const worker of live) process.stdout.write(`${workerLine(worker)}\n`);
      });
    }),
  );
}

function workerLine(worker: WorkerRecord): string {
  const served = [
    ...worker.agents,
    ...worker.agentModules.flatMap((entry) => entry.agents.map((agent) => `${agent} (${entry.module})`)),
  ];
  return [
    worker.id,
    ...(worker.pool === undefined ? [] : [`pool ${worker.pool}`]),
    `${worker.runsInFlight}/${worker.concurrency} runs`,
    `heartbeat ${worker.lastHeartbeatAt}`,
    `serves ${served.length > 0 ? served.join(', ') : '(no agents)'}${worker.loadsModules ? ' + recorded modules' : ''}`,
  ].join('  ');
}
