import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { receiptForRun, serializeEnvelope } from '../../governed/issue.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';

/**
 * `baton receipt <runId>`: prints the run's receipt file `{ version, contract, receipt,
 * signatures }` as canonical JSON (save it as is: `baton verify` checks every byte). A finished
 * run with a contract but no receipt yet gets one issued now.
 */
export function registerReceipt(program: Command, env: Environment): void {
  addConfigOptions(
    program
      .command('receipt')
      .description("print a run's signed receipt (with its contract) as JSON")
      .argument('<runId>'),
    'receipt',
  ).action(
    configured(env, async (config, runId: string) => {
      const keys = await loadOrCreateKeys(config.home);
      await withStore(config, async (store) => {
        process.stdout.write(serializeEnvelope(await receiptForRun(store, runId, keys)));
      });
    }),
  );
}
