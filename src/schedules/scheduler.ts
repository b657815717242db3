import { ConflictError, errorMessage, NotFoundError } from '../core/errors.js';
import type { Runtime } from '../runtime/types.js';
import type { Logger } from '../telemetry/logger.js';
import { silentLogger } from '../telemetry/logger.js';
import type { LoadedSchedule } from './load-schedules.js';
import { nextTick, ticksBetween } from './schedule.js';

/** Mark scopes of the scheduler's durable state, shared by every process on one store. */
const PAUSED = 'schedule.paused';
/** Ticks considered (fired, or skipped by `catchUp`), by ISO time: the newest is where the next pass starts. */
const consideredScope = (id: string) => `schedule.ticks:${id}`;
/** When a schedule was first served: no tick before it is ever due. */
const sinceScope = (id: string) => `schedule.since:${id}`;

/** Most ticks one pass fires for one schedule (`catchUp: 'all'` after a long downtime): the newest ones. */
const MAX_CATCH_UP = 1_000;
/** Considered ticks kept per schedule; older ones are pruned. */
const KEEP_CONSIDERED = 20;

/** A schedule as `baton schedules list` and `GET /v1/schedules` show it. */
export interface ScheduleView {
  id: string;
  agent: string;
  cron: string;
  timezone: string;
  session: 'new' | 'shared';
  catchUp: 'skip' | 'latest' | 'all';
  enabled: boolean;
  paused: boolean;
  /** The newest tick fired or skipped, ISO (null: none yet). */
  lastTick: string | null;
  /** The next tick after now, ISO (null: the expression has none). */
  nextTick: string | null;
}

/** What firing a tick did. */
export interface FiredTick {
  scheduleId: string;
  tick: string;
  sessionId: string;
  runId: string;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  runtime: Runtime;
  schedules: readonly LoadedSchedule[];
  /** Epoch ms now (default `Date.now`); tests inject a clock. */
  now?: () => number;
  /** How often due ticks are looked for, in ms (default 1 000). */
  pollMs?: number;
  logger?: Logger;
}

/**
 * Fires schedules' ticks. Any number of processes may run one over one store: a tick of a
 * `session: 'new'` schedule is a run keyed `schedule:<agent>/<id>:<tick>` that only one of them
 * can create, one of a `shared` schedule is claimed by a mark before it is delivered. Where a
 * pass starts (the newest tick considered) and which schedules are paused live in the store too,
 * so restarts and other servers agree.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #byId: Map<string, LoadedSchedule>;
  readonly #now: () => number;
  /** When this process last looked: `skip` fires only ticks that came due since then. */
  #lastPass: number;
  #timer: NodeJS.Timeout | undefined;
  #passing: Promise<void> | undefined;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#byId = new Map(options.schedules.map((loaded) => [loaded.id, loaded]));
    this.#now = options.now ?? Date.now;
    this.#lastPass = this.#now();
  }

  /** Starts polling for due ticks. */
  start(): void {
    if (this.#timer || this.#byId.size === 0) return;
    const loop = () => {
      this.#passing = this.pass()
        .catch((error: unknown) =>
          this.#logger().warn('schedule pass failed', { error: errorMessage(error) }),
        )
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(loop, this.#options.pollMs ?? 1_000);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#passing;
  }

  /** One look at every schedule: fires what came due (per `catchUp`) since the newest tick considered. */
  async pass(): Promise<void> {
    const now = this.#now();
    const paused = new Set(await this.#options.runtime.store.listMarks(PAUSED));
    for (const loaded of this.#byId.values()) {
      if (loaded.schedule.enabled === false || paused.has(loaded.id)) continue;
      await this.#passSchedule(loaded, now);
    }
    this.#lastPass = now;
  }

  /** Every schedule with its state. */
  async list(): Promise<ScheduleView[]> {
    const { store } = this.#options.runtime;
    const paused = new Set(await store.listMarks(PAUSED));
    const now = this.#now();
    return Promise.all(
      [...this.#byId.values()].map(async ({ id, agent, schedule }) => {
        const next = nextTick(schedule, now);
        return {
          id,
          agent,
          cron: schedule.cron,
          timezone: schedule.timezone ?? 'UTC',
          session: schedule.session,
          catchUp: schedule.catchUp,
          enabled: schedule.enabled !== false,
          paused: paused.has(id),
          lastTick: (await store.listMarks(consideredScope(id))).at(-1) ?? null,
          nextTick: next === undefined ? null : new Date(next).toISOString(),
        };
      }),
    );
  }

  /** Fires a schedule now, whatever its cron, pause or `enabled` say. */
  async trigger(id: string): Promise<FiredTick> {
    const loaded = this.#require(id);
    const fired = await this.#fire(loaded, new Date(this.#now()).toISOString());
    if (!fired) throw new ConflictError(`schedule ${id} was triggered at this very instant already`);
    return fired;
  }

  /** Pauses or resumes a schedule, for every process on the store. */
  async setPaused(id: string, paused: boolean): Promise<void> {
    this.#require(id);
    const { store } = this.#options.runtime;
    if (paused) await store.putMark(PAUSED, id);
    else await store.deleteMark(PAUSED, id);
  }

  #require(id: string): LoadedSchedule {
    const loaded = this.#byId.get(id);
    if (!loaded) throw new NotFoundError('schedule', id);
    return loaded;
  }

  async #passSchedule(loaded: LoadedSchedule, now: number): Promise<void> {
    const { store } = this.#options.runtime;
    const considered = await store.listMarks(consideredScope(loaded.id));
    let from = considered.at(-1);
    if (from === undefined) {
      const since = await store.listMarks(sinceScope(loaded.id));
      from = since[0];
      if (from === undefined) {
        await store.putMark(sinceScope(loaded.id), new Date(now).toISOString());
        return;
      }
    }
    const due = ticksBetween(loaded.schedule, Date.parse(from), now, MAX_CATCH_UP);
    const newest = due.at(-1);
    if (newest === undefined) return;
    const catchUp = loaded.schedule.catchUp;
    const firing = catchUp === 'all' ? due : catchUp === 'latest' || newest > this.#lastPass ? [newest] : [];
    for (const tick of firing) await this.#fire(loaded, new Date(tick).toISOString());
    await store.putMark(consideredScope(loaded.id), new Date(newest).toISOString());
    for (const old of considered.slice(0, Math.max(0, considered.length + 1 - KEEP_CONSIDERED)))
      await store.deleteMark(consideredScope(loaded.id), old);
  }

  /** Fires one tick, unless another process did; the result says what this call started. */
  async #fire({ id, agent, schedule }: LoadedSchedule, tick: string): Promise<FiredTick | undefined> {
    const { runtime } = this.#options;
    const message =
      typeof schedule.message === 'string' ? schedule.message : schedule.message({ scheduleId: id, tick });
    if (schedule.session === 'new') {
      const started = await runtime.startTick({ agent, message, scheduleId: id, tick });
      return started.fired
        ? { scheduleId: id, tick, sessionId: started.sessionId, runId: started.runId }
        : undefined;
    }
    // A shared session's tick is a follow-up, which has no key of its own: a mark claims it.
    if (!(await runtime.store.putMark(`schedule.fired:${id}`, tick))) return undefined;
    const sent = await runtime.converse({
      agent,
      message,
      conversationKey: `schedule:${id}`,
      caller: { kind: 'schedule', subject: id },
      before: [{ type: 'schedule.fired', data: { scheduleId: id, tick } }],
    });
    return { scheduleId: id, tick, sessionId: sent.sessionId, runId: sent.runId };
  }

  #logger(): Logger {
    return this.#options.logger ?? silentLogger;
  }
}
