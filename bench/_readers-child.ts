// Child process of the fan-out bench: `_readers-child.ts <url> <session> <from> <readers> <last>`
// follows one session with `readers` NDJSON streams through the client SDK, so the readers'
// parsing runs outside the server's process. Protocol over IPC: it sends `attached` once every
// reader has event `from`, answers `ping` with its clock, sends `received` the moment every
// reader has event `last` (so the server's CPU window closes before the big message), then
// `receipts`: per event, the clock at which each reader had it.
import { createClient } from '../src/client/index.js';
import { sharedNow } from './_child.js';

/** Messages between the fan-out bench and this child. */
export type ReadersMessage =
  | { type: 'attached' }
  | { type: 'pong'; now: number }
  | { type: 'received' }
  | { type: 'receipts'; bySeq: Record<number, number[]> };

const [url = '', sessionId = '', fromArgument, readersArgument, lastArgument] = process.argv.slice(2);
const from = Number(fromArgument);
const readers = Number(readersArgument);
const last = Number(lastArgument);
const send = (message: ReadersMessage) => process.send?.(message);

process.on('message', (message: { type: string }) => {
  if (message.type === 'ping') send({ type: 'pong', now: sharedNow() });
});

const client = createClient({ baseUrl: url });
const stop = new AbortController();
const bySeq: Record<number, number[]> = {};
let attached = 0;
let finished = 0;
await Promise.all(
  Array.from({ length: readers }, async () => {
    for await (const event of client.stream(sessionId, { from, follow: true, signal: stop.signal })) {
      const now = sharedNow();
      if (!('seq' in event)) continue;
      if (event.seq === from) {
        attached += 1;
        if (attached === readers) send({ type: 'attached' });
        continue;
      }
      const receipts = bySeq[event.seq] ?? [];
      receipts.push(now);
      bySeq[event.seq] = receipts;
      if (event.seq >= last) break;
    }
    finished += 1;
    if (finished === readers) send({ type: 'received' });
  }),
);
stop.abort();
process.send?.({ type: 'receipts', bySeq } satisfies ReadersMessage, () => process.exit(0));
