import type { Command } from 'commander';
import { pullRun } from '../../governed/pull.js';
import type { PatchOverview } from '../../workspace/patch-inspection.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption } from '../options.js';

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
export function registerPull(program: Command): void {
  const command = program
    .command('pull')
    .description("apply a run's patch here, or commit it on branch baton/<runId>")
    .argument('<runId>')
    .option('--branch', 'always create branch baton/<runId> instead of applying in place')
    .option(
      '--allow-outside-symlinks',
      'apply a patch that adds symlinks pointing outside the repository or into .git',
    )
    .option('--json', 'print the result as JSON');
  addDbOption(command).action(
    async (
      runId: string,
      flags: { branch?: boolean; allowOutsideSymlinks?: boolean; db?: string; json?: boolean },
    ) => {
      const result = await withStore(flags.db, (store) =>
        pullRun(store, runId, {
          dir: process.cwd(),
          ...(flags.branch && { branch: true }),
          ...(flags.allowOutsideSymlinks && { allowOutsideSymlinks: true }),
          // The summary goes to stderr before anything is written, so that stdout stays JSON with --json.
          onOverview: (overview) => process.stderr.write(describeOverview(overview)),
        }),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.mode === 'applied')
        process.stdout.write(`applied the patch of run ${runId} to the working tree\n`);
      else process.stdout.write(`created branch ${result.branch} at ${result.commit}\n`);
    },
  );
}
