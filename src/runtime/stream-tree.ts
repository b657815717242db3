import type { StreamEvent } from '../core/events.js';
import type { StreamOptions, TreeStreamEvent } from './types.js';

/** Streams one session's events (the runtime's `stream` without `children`). */
type SessionStream = (sessionId: string, options: StreamOptions) => AsyncIterable<StreamEvent>;
/** The child session an event of a session opens, if any (`childSessionOf`). */
type ChildOf = (event: StreamEvent, sessionId: string) => Promise<string | undefined>;

/**
 * A session's events interleaved live with those of its child sessions (agents used as tools,
 * background children) and theirs, each child event tagged with its `childSessionId`. A child's
 * stream opens when the event that started it arrives (`subagent.started`, or the background
 * tool's result naming its task) and replays the child's log from its start, so each child event
 * comes exactly once. Every source is pulled one event at a time: a slow reader slows them all
 * rather than buffering without bound (each source still ends with `StreamLaggedError` when the
 * reader falls too far behind its live events). Without `follow` it ends once every source did.
 * An event is followed only into a session recorded as a child of the session it appeared in:
 * events are data a runner may have written, and must not open another session.
 */
export async function* streamTree(
  stream: SessionStream,
  childOf: ChildOf,
  sessionId: string,
  options: StreamOptions,
): AsyncGenerator<TreeStreamEvent> {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const opened = new Set<string>([sessionId]);
  const ready: { event: TreeStreamEvent; pulled: () => void }[] = [];
  let wake: (() => void) | undefined;
  let running = 0;
  let failure: unknown;
  const notify = () => {
    const waiter = wake;
    wake = undefined;
    waiter?.();
  };
  const pump = async (id: string, from: number): Promise<void> => {
    running += 1;
    try {
      for await (const event of stream(id, { ...options, from, signal })) {
        const tagged: TreeStreamEvent = id === sessionId ? event : { ...event, childSessionId: id };
        const child = await childOf(event, id);
        if (child !== undefined && !opened.has(child)) {
          opened.add(child);
          void pump(child, 0);
        }
        await new Promise<void>((pulled) => {
          ready.push({ event: tagged, pulled });
          notify();
        });
      }
    } catch (error) {
      failure ??= error;
    } finally {
      running -= 1;
      notify();
    }
  };
  void pump(sessionId, options.from ?? 0);
  try {
    for (;;) {
      const next = ready.shift();
      if (next !== undefined) {
        next.pulled();
        yield next.event;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (running === 0 || signal.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    controller.abort();
    for (const entry of ready.splice(0)) entry.pulled();
  }
}
