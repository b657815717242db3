import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.js';
import type { BatonEvent } from '../../core/events.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, writeJsonLine } from '../options.js';

const PAGE_EVENTS = 500;
const PAGE_BYTES = 4 * 1024 * 1024;

/** `baton events <sessionId>`: a session's persisted events. */
export function registerEvents(program: Command): void {
  addDbOption(
    program
      .command('events')
      .description("print a session's persisted events")
      .argument('<sessionId>')
      .option('--from <seq>', 'first seq to print', integerAtLeast(0), 0)
      .option('--json', 'one JSON event per line (NDJSON)'),
  ).action(async (sessionId: string, flags: { from: number; json?: boolean; db?: string }) => {
    await withStore(flags.db, async (store) => {
      if (!(await store.getSession(sessionId))) throw new NotFoundError('session', sessionId);
      // Page by page, so a long log never sits in memory at once.
      let from = flags.from;
      for (;;) {
        const page = await store.readEvents(sessionId, { from, limit: PAGE_EVENTS, maxBytes: PAGE_BYTES });
        for (const event of page) {
          if (flags.json) writeJsonLine(event);
          else process.stdout.write(`${eventLine(event)}\n`);
        }
        const last = page.at(-1);
        if (!last) return;
        from = last.seq + 1;
      }
    });
  });
}

function eventLine(event: BatonEvent): string {
  const data = JSON.stringify(event.data);
  return `${String(event.seq).padStart(5)}  ${event.ts}  ${event.type.padEnd(18)} ${data.length > 160 ? `${data.slice(0, 159)}…` : data}`;
}
