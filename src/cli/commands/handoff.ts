import type { Command } from 'commander';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { ValidationError } from '../../core/errors.js';
import { canonicalJson } from '../../core/hash.js';
import { localFirst } from '../../governed/handoff/policy.js';
import { handoff } from '../../handoff/handoff.js';
import { targets } from '../../handoff/targets.js';
import { addConfigOptions, configured } from '../config-options.js';
import { exitCodeForRun } from '../exit-codes.js';
import { handoffAgent } from '../handoff/agent-choice.js';
import { readHandoffPolicy } from '../handoff/policy-file.js';
import { printReport } from '../handoff/print-report.js';
import { progressPrinter } from '../handoff/progress.js';
import { reportFailuresAsJson } from '../json-errors.js';
import { writeJsonLine } from '../options.js';

const DEFAULT_PLANE = 'http://127.0.0.1:7070';

/**
 * `baton handoff "<task>" --pool <name>`: continues this git workspace on a runner pool of the
 * plane, under the policy of `baton.handoff.json` in the repository (else `localFirst({
 * allowPools: [<--pool>] })`). Progress goes to stderr; `--dry-run` prints the disclosure
 * report and uploads nothing; `--wait --json` prints one `{ runId, status, receipt, patch }`.
 */
export function registerHandoff(program: Command, env: Environment): void {
  const command = program
    .command('handoff')
    .description('continue this git workspace on a runner pool of the plane, under a policy')
    .argument('<task>', 'what the agent on the pool should do');
  const reportingFailures = reportFailuresAsJson(command);
  addConfigOptions(command, 'handoff').action(
    reportingFailures(
      configured(env, async (config, task: string) => {
        process.exitCode = await runHandoff(task, config);
      }),
    ),
  );
}

async function runHandoff(task: string, config: BatonConfig): Promise<number> {
  const pool = requirePool(config.pool);
  const workspace = process.cwd();
  const progress = progressPrinter(process.stderr);
  const sdk = handoff({
    workspace,
    plane: {
      url: config.plane ?? DEFAULT_PLANE,
      ...(config.apiToken !== undefined && { token: config.apiToken }),
    },
    agent: handoffAgent(config.agent.at(-1) ?? 'mock'),
    policy: (await readHandoffPolicy(workspace, config.env)) ?? localFirst({ allowPools: [pool] }),
    allowUntracked: config.allowUntracked,
    allowHosts: config.allowHost,
    secrets: config.secret,
    ...(config.budgetUsd !== undefined && { budget: { maxCostUsd: config.budgetUsd } }),
    onTrace: progress.trace,
    hostEnv: config.env,
  });
  const target = targets.pool(pool);
  if (config.dryRun) {
    const report = await sdk.dryRun(target, { task });
    if (config.json) writeJsonLine(report);
    else printReport(report, process.stdout);
    return 0;
  }
  const run = await sdk.continueIn(target, { task });
  if (!config.wait) {
    if (config.json) writeJsonLine({ runId: run.runId, status: await run.status() });
    else process.stdout.write(`${run.runId}\n`);
    return 0;
  }
  const status = await progress.follow(run);
  const receipt = await run.receipt();
  const patch = await run.patch();
  const pulled =
    config.pull === undefined || patch?.patchHash == null ? undefined : await progress.pull(run, config.pull);
  if (config.json) {
    // Canonical JSON, so the receipt saved from this output is byte-for-byte what `baton verify` reads.
    writeJsonLine({
      runId: run.runId,
      status,
      receipt: JSON.parse(canonicalJson(receipt)),
      patch,
      ...(pulled && { pulled }),
    });
  } else {
    process.stdout.write(`${run.runId} ${status}\n`);
  }
  return exitCodeForRun(status);
}

function requirePool(pool: string | undefined): string {
  if (pool === undefined) throw new ValidationError('baton handoff needs --pool <name>', 'pool');
  return pool;
}
