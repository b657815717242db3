import type { StreamEvent } from '../core/events.js';
import { isTerminalRunEvent } from '../core/events.js';
import { AsyncQueue } from './async-queue.js';
import type { RuntimeContext } from './runtime-context.js';
import { requireSession } from './session-lookup.js';
import type { StreamOptions } from './types.js';

/**
 * A session's persisted events from `from`, then live ones (with `model.delta`). Listeners are
 * attached before the replay read, and live events are deduplicated by `seq` against it, so
 * nothing falls between replay and live and nothing comes twice. A gap in what arrives live
 * (a notification lost between processes) is filled from the store. Without `follow` the
 * stream ends once the session has no queued or running run.
 */
export async function* streamSession(
  context: RuntimeContext,
  sessionId: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamEvent> {
  await requireSession(context, sessionId);
  const queue = new AsyncQueue<StreamEvent>();
  const unsubscribeStore = context.store.subscribe(sessionId, (event) => queue.push(event));
  const unsubscribeLive = context.bus.subscribe(sessionId, (event) => queue.push(event));
  const { signal, follow = false } = options;
  try {
    let next = Math.max(0, options.from ?? 0);
    for (const event of await context.store.readEvents(sessionId, { from: next })) {
      yield event;
      next = event.seq + 1;
    }
    if (!follow && !(await hasActiveRun(context, sessionId))) {
      // The last run may have ended between the replay read and the check: read its tail too.
      yield* await context.store.readEvents(sessionId, { from: next });
      return;
    }
    while (!signal?.aborted) {
      const event = await queue.next(signal);
      if (event === undefined) return;
      if (event.type === 'model.delta') {
        yield event;
        continue;
      }
      if (event.seq < next) continue;
      const missing =
        event.seq > next
          ? await context.store.readEvents(sessionId, { from: next, limit: event.seq - next })
          : [];
      for (const persisted of [...missing, event]) {
        yield persisted;
        next = persisted.seq + 1;
      }
      if (!follow && isTerminalRunEvent(event) && !(await hasActiveRun(context, sessionId))) return;
    }
  } finally {
    unsubscribeStore();
    unsubscribeLive();
  }
}

/** True while the session (or, without one, any session) has a run that may still commit events. */
export async function hasActiveRun(context: RuntimeContext, sessionId?: string): Promise<boolean> {
  const { items } = await context.store.listRuns({
    ...(sessionId !== undefined && { sessionId }),
    status: ['queued', 'running'],
    limit: 1,
  });
  return items.length > 0;
}
