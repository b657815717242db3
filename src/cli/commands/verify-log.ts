import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { verifySessionLog } from '../../runtime/verify-session.js';
import { addConfigOptions, configured } from '../config-options.js';
import { EXIT } from '../exit-codes.js';
import { plural } from '../format.js';
import { withStore } from '../open-cli-store.js';

/**
 * `baton verify-log <sessionId>`: recomputes the hash chain, checks the log ends at the head
 * the session row keeps and that every run's status agrees with its log; exit 0 valid, 1
 * broken (naming the first bad seq or run), 3 when the database itself is damaged.
 */
export function registerVerifyLog(program: Command, env: Environment): void {
  addConfigOptions(
    program
      .command('verify-log')
      .description("check a session's event log: hash chain, head, run statuses")
      .argument('<sessionId>'),
    'verify-log',
  ).action(
    configured(env, async (config, sessionId: string) => {
      await withStore(config, async (store) => {
        const verdict = await verifySessionLog(store, sessionId);
        if (verdict.ok) {
          process.stdout.write(`valid: ${plural(verdict.count, 'event')}, head ${verdict.head}\n`);
          return;
        }
        const where = verdict.seq === undefined ? 'broken' : `broken at seq ${verdict.seq}`;
        process.stdout.write(`${where}: ${verdict.reason}\n`);
        process.exitCode = EXIT.workFailed;
      });
    }),
  );
}
