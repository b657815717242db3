import { Cron } from 'croner';
import { errorMessage, UserError } from '../core/errors.js';

/** What a message function is given: the schedule and the tick it fires for. */
export interface ScheduleTick {
  /** `<agent>/<id>`. */
  scheduleId: string;
  /** The tick's ISO time. */
  tick: string;
}

/** Options of {@link defineSchedule}. */
export interface ScheduleOptions {
  /** A cron expression (5 fields, or 6 with seconds first), parsed by `croner`. */
  cron: string;
  /** An IANA time zone the expression is read in (default UTC). */
  timezone?: string;
  /** The message each tick sends to the agent. */
  message: string | ((tick: ScheduleTick) => string);
  /** `new`: a session per tick; `shared`: every tick is a follow-up in one session. */
  session: 'new' | 'shared';
  /**
   * Ticks missed while no server ran: `skip` them, fire the `latest` one, or fire `all` of
   * them (oldest first).
   */
  catchUp: 'skip' | 'latest' | 'all';
  /** Default true; a disabled schedule never fires on its own (a manual trigger still does). */
  enabled?: boolean;
}

/** A schedule made by {@link defineSchedule}. */
export type Schedule = Readonly<ScheduleOptions>;

const SCHEDULE_BRAND = Symbol.for('baton.schedule');

/** A schedule of an agent: `agents/<name>/schedules/<id>.ts` exports one by default. */
export function defineSchedule(options: ScheduleOptions): Schedule {
  const fail = (reason: string) => new UserError('invalid_schedule', `defineSchedule: ${reason}`);
  if (typeof options?.cron !== 'string') throw fail('cron must be a cron expression');
  try {
    new Cron(options.cron, { paused: true, timezone: options.timezone ?? 'UTC' }).stop();
  } catch (error) {
    throw fail(`cron ${JSON.stringify(options.cron)} is not valid: ${errorMessage(error)}`);
  }
  if (typeof options.message !== 'string' && typeof options.message !== 'function') {
    throw fail('message must be a string or a function of the tick');
  }
  if (options.session !== 'new' && options.session !== 'shared')
    throw fail("session must be 'new' or 'shared'");
  if (!['skip', 'latest', 'all'].includes(options.catchUp))
    throw fail("catchUp must be 'skip', 'latest' or 'all'");
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean')
    throw fail('enabled must be a boolean');
  const schedule = { ...options };
  Object.defineProperty(schedule, SCHEDULE_BRAND, { value: true });
  return Object.freeze(schedule);
}

/** True for a schedule made by {@link defineSchedule} (from any copy of Baton's modules). */
export function isSchedule(value: unknown): value is Schedule {
  return typeof value === 'object' && value !== null && SCHEDULE_BRAND in value;
}

/** The tick times of `schedule` in (`after`, `upTo`], oldest first, at most `limit` of them. */
export function ticksBetween(schedule: Schedule, after: number, upTo: number, limit: number): number[] {
  const cron = new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? 'UTC' });
  const ticks: number[] = [];
  for (let next = cron.nextRun(new Date(after)); next && next.getTime() <= upTo; next = cron.nextRun(next)) {
    ticks.push(next.getTime());
    if (ticks.length > limit) ticks.shift();
  }
  return ticks;
}

/** The next tick after `after`, if any. */
export function nextTick(schedule: Schedule, after: number): number | undefined {
  return new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? 'UTC' })
    .nextRun(new Date(after))
    ?.getTime();
}
