import type { Command } from 'commander';
import { receiptForRun, serializeEnvelope } from '../../governed/issue.js';
import { resolveBatonHome } from '../../proof/baton-home.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption } from '../options.js';

/**
 * `baton receipt <runId>`: prints the run's receipt file `{ version, contract, receipt,
 * signatures }` as canonical JSON (save it as is: `baton verify` checks every byte). A finished
 * run with a contract but no receipt yet gets one issued now.
 */
export function registerReceipt(program: Command): void {
  addDbOption(
    program
      .command('receipt')
      .description("print a run's signed receipt (with its contract) as JSON")
      .argument('<runId>'),
  ).action(async (runId: string, flags: { db?: string }) => {
    const keys = await loadOrCreateKeys(resolveBatonHome({ db: flags.db }));
    await withStore(flags.db, async (store) => {
      process.stdout.write(serializeEnvelope(await receiptForRun(store, runId, keys)));
    });
  });
}
