import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Environment } from '../../core/environment.js';
import { NotFoundError } from '../../core/errors.js';
import { queuedReason } from '../../runtime/queued-reason.js';
import type { RunView } from '../../runtime/types.js';
import { addConfigOptions, configured } from '../config-options.js';
import { formatTable } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';
import { runtimeOptions } from '../runtime-options.js';
import { drawTimeline } from '../timeline.js';

/** `baton runs list|show`: what the store knows about runs. */
export function registerRuns(program: Command, env: Environment): void {
  const runs = program.command('runs').description('list and inspect runs');
  addConfigOptions(runs.command('list').description('list runs, newest first'), 'runs list').action(
    configured(env, async (config) => {
      await withStore(config, async (store) => {
        const { items } = await createRuntime({ store, ...runtimeOptions(config) }).listRuns({
          limit: config.limit,
        });
        if (config.json) return writeJsonLine(items);
        if (items.length === 0) return void process.stderr.write('no runs\n');
        process.stdout.write(`${formatTable(RUN_COLUMNS, items.map(runRow))}\n`);
      });
    }),
  );
  addConfigOptions(runs.command('show').description('show one run').argument('<runId>'), 'runs show').action(
    configured(env, async (config, runId: string) => {
      await withStore(config, async (store) => {
        const run = await createRuntime({ store, ...runtimeOptions(config) }).getRun(runId);
        const record = await store.getRun(runId);
        if (!record) throw new NotFoundError('run', runId);
        // A queued run nobody serves says so: which agent and module, and what workers reported.
        const why = queuedReason(record, await store.listWorkers());
        if (config.timeline)
          return void process.stdout.write(drawTimeline(await store.readEvents(run.sessionId), run.id));
        if (config.json) return writeJsonLine({ ...run, ...(why !== undefined && { queuedReason: why }) });
        process.stdout.write(`${describeRun(run, why)}\n`);
      });
    }),
  );
}

const RUN_COLUMNS = ['RUN', 'STATUS', 'AGENT', 'ATTEMPT', 'CREATED', 'SESSION'];

function runRow(run: RunView): string[] {
  return [run.id, run.status, run.agent, String(run.attempt), run.createdAt, run.sessionId];
}

function describeRun(run: RunView, why: string | undefined): string {
  const lines: [string, unknown][] = [
    ['run', run.id],
    ['session', run.sessionId],
    ['agent', run.agent],
    ['module', run.agentModule],
    ['status', run.status],
    ['waiting', why],
    ['attempt', run.attempt],
    ['kind', run.kind],
    ['created', run.createdAt],
    ['started', run.startedAt],
    ['finished', run.finishedAt],
    ['usage', `${run.usage.inputTokens} in / ${run.usage.outputTokens} out tokens`],
    ['cost', run.usage.costUsd === undefined ? undefined : `$${run.usage.costUsd}`],
    ['active', `${run.activeMs} ms`],
    ['lease', run.lease && `${run.lease.owner} until ${new Date(run.lease.expiresAt).toISOString()}`],
    ['result', run.result && JSON.stringify(run.result)],
    ['error', run.error && `${run.error.code}: ${run.error.message}`],
  ];
  return lines
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([label, value]) => `${label.padEnd(9)}${String(value)}`)
    .join('\n');
}
