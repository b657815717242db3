import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { loadAgentsDir } from '../../runtime/agent-loader.js';
import { loadSchedules } from '../../schedules/load-schedules.js';
import { Scheduler } from '../../schedules/scheduler.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';

const DEFAULT_AGENTS_DIR = 'agents';

/**
 * `baton schedules list|trigger <agent>/<id>|pause <agent>/<id>|resume <agent>/<id> [--json]`:
 * the agents' schedules over the store, as every `baton serve` on it sees them. A trigger
 * queues the tick's run; a server's or worker's workers execute it.
 */
export function registerSchedules(program: Command, env: Environment): void {
  const schedules = program
    .command('schedules')
    .description("list, trigger, pause and resume the agents' schedules");
  addConfigOptions(
    schedules.command('list').description('list the schedules and their state'),
    'schedules list',
  ).action(
    configured(env, (config) =>
      withScheduler(config, async (scheduler) => {
        const views = await scheduler.list();
        if (config.json) return writeJsonLine(views);
        if (views.length === 0) process.stderr.write('no schedules\n');
        for (const view of views) {
          const state = view.paused ? 'paused' : view.enabled ? 'enabled' : 'disabled';
          process.stdout.write(
            `${view.id}  ${view.cron} (${view.timezone})  ${state}  session ${view.session}  catch-up ${view.catchUp}  next ${view.nextTick ?? '-'}\n`,
          );
        }
      }),
    ),
  );
  addConfigOptions(
    schedules.command('trigger <id>').description('fire a schedule now (<agent>/<id>)'),
    'schedules trigger',
  ).action(
    configured(env, (config, id: string) =>
      withScheduler(config, async (scheduler) => {
        const fired = await scheduler.trigger(id);
        if (config.json) return writeJsonLine(fired);
        process.stdout.write(
          `fired ${fired.scheduleId} at ${fired.tick}: session ${fired.sessionId}, run ${fired.runId}\n`,
        );
      }),
    ),
  );
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    addConfigOptions(
      schedules
        .command(`${verb} <id>`)
        .description(`${verb} a schedule (<agent>/<id>) for every server on the store`),
      `schedules ${verb}`,
    ).action(
      configured(env, (config, id: string) =>
        withScheduler(config, async (scheduler) => {
          await scheduler.setPaused(id, paused);
          if (config.json) return writeJsonLine({ id, paused });
          process.stdout.write(`${id} ${paused ? 'paused' : 'resumed'}\n`);
        }),
      ),
    );
  }
}

async function withScheduler(
  config: BatonConfig,
  work: (scheduler: Scheduler) => Promise<void>,
): Promise<void> {
  const dir = config.agents ?? DEFAULT_AGENTS_DIR;
  const agents = await loadAgentsDir(dir);
  const loaded = await loadSchedules(dir);
  await withStore(config, async (store) => {
    const runtime = createRuntime({ store, agents });
    try {
      await work(new Scheduler({ runtime, schedules: loaded }));
    } finally {
      await runtime.close();
    }
  });
}
