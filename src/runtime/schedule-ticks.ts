import type { RuntimeContext } from './runtime-context.js';
import { commitStart } from './sessions.js';
import type { StartTickOptions, StartTickResult } from './types.js';

/**
 * The store key of the run of a schedule's tick: `schedule:<agent>/<id>:<tick ISO>`. Every
 * process that sees the tick come due starts it under this key, and the store lets one of
 * them create it, so a tick fires once however many servers share the database.
 */
export function tickRunKey(scheduleId: string, tick: string): string {
  return `schedule:${scheduleId}:${tick}`;
}

/** Starts the new session of a schedule's tick, with `schedule.fired` before its message; once per tick. */
export async function startTick(
  context: RuntimeContext,
  options: StartTickOptions,
): Promise<StartTickResult> {
  const { run, created } = await commitStart(
    context,
    {
      agent: options.agent,
      message: options.message,
      caller: { kind: 'schedule', subject: options.scheduleId },
    },
    tickRunKey(options.scheduleId, options.tick),
    [{ type: 'schedule.fired', data: { scheduleId: options.scheduleId, tick: options.tick } }],
  );
  return { sessionId: run.sessionId, runId: run.id, fired: created };
}
