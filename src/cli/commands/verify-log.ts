import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.js';
import { verifyChain } from '../../core/events.js';
import { EXIT } from '../exit-codes.js';
import { plural } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption } from '../options.js';

/** `baton verify-log <sessionId>`: recomputes the hash chain; exit 0 valid, 1 broken (naming the first bad seq). */
export function registerVerifyLog(program: Command): void {
  addDbOption(
    program
      .command('verify-log')
      .description("recompute a session's event hash chain")
      .argument('<sessionId>'),
  ).action(async (sessionId: string, flags: { db?: string }) => {
    await withStore(flags.db, async (store) => {
      if (!(await store.getSession(sessionId))) throw new NotFoundError('session', sessionId);
      const verdict = verifyChain(await store.readEvents(sessionId));
      if (verdict.ok) {
        process.stdout.write(`valid: ${plural(verdict.count, 'event')}, head ${verdict.head}\n`);
      } else {
        process.stdout.write(`broken at seq ${verdict.seq}: ${verdict.reason}\n`);
        process.exitCode = EXIT.workFailed;
      }
    });
  });
}
