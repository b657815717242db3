// Child process of the fan-out bench: `_readers-child.ts <url> <session> <from> <readers> <last>`
// follows one session with `readers` NDJSON streams, so the readers' parsing runs outside the
// server's process. By default each reader is a bare `node:http` request that stamps the
// arrival of each chunk and takes the `seq` of each line: on 2 cores the client SDK's
// per-reader fetch and Web streams cost the readers' process more CPU than the server spends,
// and its queueing became most of the measured latency. BENCH_READER_CLIENT=sdk reads through
// the client SDK instead (the whole path a Baton client sees). Protocol over IPC: it sends
// `attached` once every reader has event `from`, answers `ping` with its clock, sends
// `received` the moment every reader has event `last` (so the server's CPU window closes before
// the big message), then `receipts`: per event, the clock at which each reader had it.
import { request } from 'node:http';
import { createClient } from '../src/client/index.js';
import { sharedNow } from './_child.js';

/** Messages between the fan-out bench and this child. */
export type ReadersMessage =
  | { type: 'attached' }
  | { type: 'pong'; now: number }
  | { type: 'received'; cpuMs: number; chunks: number }
  | { type: 'receipts'; bySeq: Record<number, number[]> };

const [url = '', sessionId = '', fromArgument, readersArgument, lastArgument] = process.argv.slice(2);
const from = Number(fromArgument);
const readers = Number(readersArgument);
const last = Number(lastArgument);
const send = (message: ReadersMessage) => process.send?.(message);

process.on('message', (message: { type: string }) => {
  if (message.type === 'ping') send({ type: 'pong', now: sharedNow() });
});

const bySeq: Record<number, number[]> = {};
let attached = 0;
/** This process's CPU from the moment every reader is attached: the readers' own cost. */
let attachedCpu: NodeJS.CpuUsage | undefined;
/** The chunks the bare readers got after attaching: how many events the server sent per write. */
let chunks = 0;

/** Records one reader's receipt of `seq` at `now`; true once it had the last event. */
function receive(seq: number, now: number): boolean {
  if (seq === from) {
    attached += 1;
    if (attached === readers) {
      attachedCpu = process.cpuUsage();
      send({ type: 'attached' });
    }
    return false;
  }
  const receipts = bySeq[seq] ?? [];
  receipts.push(now);
  bySeq[seq] = receipts;
  return seq >= last;
}

/** Hangs up every reader that had the last event. */
const hangUps: (() => void)[] = [];

/**
 * One bare NDJSON follower: resolves once it had the last event. It hangs up only once every
 * reader had it: 500 sockets closing while the last events are still being delivered to the
 * others delayed those (in this process and in the server's) by tens of ms, and put the
 * server's teardown of the streams in its CPU per delivered copy.
 */
function rawReader(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/sessions/${sessionId}/stream?from=${from}&follow=1`, (res) => {
      res.setEncoding('utf8');
      let rest = '';
      res.on('data', (chunk: string) => {
        const now = sharedNow();
        if (attachedCpu !== undefined) chunks += 1;
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const event = JSON.parse(line) as { seq?: number };
          if (event.seq !== undefined && receive(event.seq, now)) {
            hangUps.push(() => req.destroy());
            resolve();
            return;
          }
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const client = createClient({ baseUrl: url });
const stop = new AbortController();

/** One follower through the client SDK: resolves once it had the last event. */
async function sdkReader(): Promise<void> {
  for await (const event of client.stream(sessionId, { from, follow: true, signal: stop.signal })) {
    const now = sharedNow();
    if ('seq' in event && receive(event.seq, now)) return;
  }
}

const reader = process.env.BENCH_READER_CLIENT === 'sdk' ? sdkReader : rawReader;
let finished = 0;
await Promise.all(
  Array.from({ length: readers }, async () => {
    await reader();
    finished += 1;
    if (finished === readers) {
      const used = process.cpuUsage(attachedCpu);
      send({ type: 'received', cpuMs: (used.user + used.system) / 1000, chunks });
    }
  }),
);
stop.abort();
for (const hangUp of hangUps) hangUp();
process.send?.({ type: 'receipts', bySeq } satisfies ReadersMessage, () => process.exit(0));
