/**
 * How coarse `sessions.last_event_at` is: an append moves it only when it is older than this.
 * The column is indexed (for the catch-up after a lost LISTEN connection), and an UPDATE that
 * changes an indexed column can never be a HOT update: every append then wrote a new index
 * entry in each of the session's five indexes. Moved at most once a second, the head's update
 * in all the other appends changes no indexed column and stays on its heap page.
 */
const GRANULARITY = "interval '1 second'";

/** The `SET` clause an append moves `last_event_at` with. */
export const TOUCH_LAST_EVENT_AT = `last_event_at = CASE WHEN last_event_at > clock_timestamp() - ${GRANULARITY}
  THEN last_event_at ELSE clock_timestamp() END`;

/**
 * The condition on `sessions` "got events at or after the epoch ms in `param`": looks back one
 * granularity further, so a session whose `last_event_at` was kept is not missed.
 */
export function lastEventAtOrAfter(param: string): string {
  return `last_event_at >= to_timestamp(${param} / 1000.0) - ${GRANULARITY}`;
}
