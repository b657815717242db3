import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { NotFoundError } from '../../core/errors.js';
import type { BatonEvent } from '../../core/events.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';

const PAGE_EVENTS = 500;
const PAGE_BYTES = 4 * 1024 * 1024;

/** `baton events <sessionId>`: a session's persisted events. */
export function registerEvents(program: Command, env: Environment): void {
  addConfigOptions(
    program.command('events').description("print a session's persisted events").argument('<sessionId>'),
    'events',
  ).action(
    configured(env, async (config, sessionId: string) => {
      await withStore(config, async (store) => {
        if (!(await store.getSession(sessionId))) throw new NotFoundError('session', sessionId);
        // Page by page, so a long log never sits in memory at once.
        let from = config.from;
        for (;;) {
          const page = await store.readEvents(sessionId, { from, limit: PAGE_EVENTS, maxBytes: PAGE_BYTES });
          for (const event of page) {
            if (config.json) writeJsonLine(event);
            else process.stdout.write(`${eventLine(event)}\n`);
          }
          const last = page.at(-1);
          if (!last) return;
          from = last.seq + 1;
        }
      });
    }),
  );
}

function eventLine(event: BatonEvent): string {
  const data = JSON.stringify(event.data);
  return `${String(event.seq).padStart(5)}  ${event.ts}  ${event.type.padEnd(18)} ${data.length > 160 ? `${data.slice(0, 159)}…` : data}`;
}
