import type { BatonEvent, StreamEvent } from '../core/events.js';
import { isTerminalRunEvent } from '../core/events.js';
import { BoundedQueue } from './bounded-queue.js';
import type { RuntimeContext } from './runtime-context.js';
import { requireSession } from './session-lookup.js';
import { StreamLaggedError } from './stream-lagged-error.js';
import type { StreamOptions } from './types.js';

/** Most persisted events one replay read returns. */
const REPLAY_PAGE_EVENTS = 256;
/** Most bytes of event data one replay read returns (at least one event, however large). */
const REPLAY_PAGE_BYTES = 4 * 1024 * 1024;
/** How many live events a stream buffers for a reader that is not keeping up. */
export const DEFAULT_MAX_LAG_EVENTS = 1_000;

/**
 * A session's persisted events from `from`, then live ones (with `model.delta`). The replay
 * reads the store in pages bounded by count and bytes, so a long session is never held in
 * memory at once. Listeners are attached before the replay, and live events are deduplicated
 * by `seq` against it, so nothing falls between replay and live and nothing comes twice. A gap
 * in what arrives live (a notification lost between processes) is filled from the store. A
 * reader that falls `maxLagEvents` behind gets a {@link StreamLaggedError} carrying the `seq` to
 * read from next. Without `follow` the stream ends once the session has no queued or running run
 * (idle, or waiting for a person). With `deliver`, a caught-up reader's live events are handed
 * to it synchronously instead of yielded, whenever it takes them.
 */
export async function* streamSession(
  context: RuntimeContext,
  sessionId: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamEvent> {
  await requireSession(context, sessionId);
  const maxLag = options.maxLagEvents ?? DEFAULT_MAX_LAG_EVENTS;
  const queue = new BoundedQueue<StreamEvent>(maxLag, options.signal);
  const unsubscribeStore = context.store.subscribe(sessionId, (event) => queue.push(event));
  const unsubscribeLive = context.bus.subscribe(sessionId, (event) => queue.push(event));
  const { follow = false } = options;
  let next = Math.max(0, options.from ?? 0);
  const lagged = () => new StreamLaggedError(next, maxLag);
  const readers = context.instrumentation.metrics?.streamReaders;
  readers?.inc();
  try {
    for await (const event of replay(context, sessionId, next, () => queue.overflowed)) {
      yield event;
      next = event.seq + 1;
      // Live events the replay already delivered need no buffering.
      queue.dropWhile((queued) => 'seq' in queued && queued.seq < next);
    }
    if (queue.overflowed) throw lagged();
    if (!follow && !(await hasActiveRun(context, sessionId))) {
      // The last run may have ended between the replay and the check: read its tail too.
      for await (const event of replay(context, sessionId, next, () => false)) yield event;
      return;
    }
    // A caught-up reader's next live event goes straight to `deliver`, from the commit's
    // notification, when nothing needs doing between it and the one before (a gap to fill, a
    // settled session to check): with hundreds of readers, the generator resume and promises
    // each yield costs per reader were a large part of an event's fan-out.
    const { deliver } = options;
    const offer = (event: StreamEvent): boolean => {
      try {
        return deliver?.(event) === true;
      } catch {
        // A `deliver` that throws refuses the event: it is yielded instead, not lost inside the
        // commit's notification, whose listeners' errors go nowhere.
        return false;
      }
    };
    const take =
      deliver &&
      ((event: StreamEvent): boolean => {
        if (event.type === 'model.delta') return offer(event);
        if (event.seq !== next || (!follow && settles(event)) || !offer(event)) return false;
        next = event.seq + 1;
        return true;
      });
    while (!queue.aborted) {
      if (queue.overflowed) throw lagged();
      const event = await queue.next(take);
      if (event === undefined) return;
      if (event.type === 'model.delta') {
        yield event;
        continue;
      }
      if (event.seq < next) continue;
      if (event.seq > next) {
        for await (const missing of replay(context, sessionId, next, () => false, event.seq)) {
          yield missing;
          next = missing.seq + 1;
        }
      }
      yield event;
      next = event.seq + 1;
      if (!follow && settles(event) && !(await hasActiveRun(context, sessionId))) return;
    }
  } finally {
    unsubscribeStore();
    unsubscribeLive();
    readers?.dec();
  }
}

/**
 * Whether the session may have gone idle with `event`: a run ended, or parked for a person
 * (`run.waiting`, as good as idle here; one waiting for its children is still at work, its
 * session reads `running`).
 */
function settles(event: BatonEvent): boolean {
  return isTerminalRunEvent(event) || (event.type === 'run.waiting' && event.data.waitingOn !== 'children');
}

/** Persisted events from `from` (up to, not including, `before`), page by page; stops early when `stop()` says so. */
async function* replay(
  context: RuntimeContext,
  sessionId: string,
  from: number,
  stop: () => boolean,
  before = Number.POSITIVE_INFINITY,
): AsyncGenerator<BatonEvent> {
  let next = from;
  while (next < before && !stop()) {
    const limit = Math.min(REPLAY_PAGE_EVENTS, before - next);
    const page = await context.store.readEvents(sessionId, {
      from: next,
      limit: Number.isFinite(limit) ? limit : REPLAY_PAGE_EVENTS,
      maxBytes: REPLAY_PAGE_BYTES,
    });
    for (const event of page) {
      yield event;
      next = event.seq + 1;
    }
    if (page.length === 0) return;
  }
}

/**
 * True while the session (or, without one, any session) has a run that may still commit events:
 * queued or running, or parked on its children (its session reads `running` meanwhile).
 */
export async function hasActiveRun(context: RuntimeContext, sessionId?: string): Promise<boolean> {
  if (sessionId !== undefined && (await context.store.getSession(sessionId))?.status === 'running')
    return true;
  const { items } = await context.store.listRuns({
    ...(sessionId !== undefined && { sessionId }),
    status: ['queued', 'running'],
    limit: 1,
  });
  return items.length > 0;
}
