import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { pullRun } from '../../governed/pull.js';
import type { PatchOverview } from '../../workspace/patch-inspection.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';

function describeOverview(overview: PatchOverview): string {
  const lines = [`patch: ${overview.files} file(s), +${overview.insertions} -${overview.deletions}`];
  for (const file of overview.largestFiles) lines.push(`  ${file.path} (${file.bytes} bytes)`);
  for (const link of overview.symlinks) lines.push(`  symlink ${link.path} -> ${link.target}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `baton pull <runId>`: brings a run's patch back after checking its log chain, its receipt and
 * its symlinks, and printing what it changes. Applied in place when the tree still equals the
 * run's starting state; otherwise (or with `--branch`) committed on branch `baton/<runId>`
 * (starting state, then the run's change) without touching the working tree or index.
 */
export function registerPull(program: Command, env: Environment): void {
  const command = program
    .command('pull')
    .description("apply a run's patch here, or commit it on branch baton/<runId>")
    .argument('<runId>');
  addConfigOptions(command, 'pull').action(
    configured(env, async (config, runId: string) => {
      const result = await withStore(config, (store) =>
        pullRun(store, runId, {
          dir: process.cwd(),
          hostEnv: config.env,
          ...(config.branch && { branch: true }),
          ...(config.allowOutsideSymlinks && { allowOutsideSymlinks: true }),
          // The summary goes to stderr before anything is written, so that stdout stays JSON with --json.
          onOverview: (overview) => process.stderr.write(describeOverview(overview)),
        }),
      );
      if (config.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.mode === 'applied')
        process.stdout.write(`applied the patch of run ${runId} to the working tree\n`);
      else process.stdout.write(`created branch ${result.branch} at ${result.commit}\n`);
    }),
  );
}
