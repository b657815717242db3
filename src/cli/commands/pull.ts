import type { Command } from 'commander';
import { pullRun } from '../../workspace/pull.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption } from '../options.js';

/**
 * `baton pull <runId>`: brings a run's patch back. Applied in place when the tree is clean at
 * the run's base ref; otherwise (or with `--branch`) committed on branch `baton/<runId>`
 * without touching the working tree or index.
 */
export function registerPull(program: Command): void {
  const command = program
    .command('pull')
    .description("apply a run's patch here, or commit it on branch baton/<runId>")
    .argument('<runId>')
    .option('--branch', 'always create branch baton/<runId> instead of applying in place')
    .option('--json', 'print the result as JSON');
  addDbOption(command).action(
    async (runId: string, flags: { branch?: boolean; db?: string; json?: boolean }) => {
      const result = await withStore(flags.db, (store) =>
        pullRun(store, runId, { dir: process.cwd(), ...(flags.branch && { branch: true }) }),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.mode === 'applied')
        process.stdout.write(`applied the patch of run ${runId} to the working tree\n`);
      else process.stdout.write(`created branch ${result.branch} at ${result.commit}\n`);
    },
  );
}
