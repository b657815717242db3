import { ConflictError } from '../core/errors.js';
import type { BatonEvent, EventDraft, Usage } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { CallerIdentity } from '../core/tool.js';
import { AppendConflictError } from '../store/append-conflict.js';
import type { NewRun, RunPatch, RunRecord, RunStatus, SessionRecord } from '../store/run-store.js';
import { inCurrentTrace } from '../telemetry/trace-context.js';
import { latestWait } from './run-wait.js';
import type { RuntimeContext } from './runtime-context.js';
import type { StoreJournal } from './store-journal.js';

/** Run statuses during which a session's run is still going to read new messages. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting'];

/**
 * How often a delivery or a run's end re-reads and tries again after another commit changed
 * what it decided on. Each retry means someone else committed, so this only bounds a storm.
 */
const MAX_ATTEMPTS = 1_000;

/**
 * The idempotency key of the run that follows `previousRunId` in a session. Everyone who wants
 * to queue the next run (two concurrent deliveries, a run ending with unread messages) uses this
 * key, so the store's idempotency lets exactly one of them create it: a session never gets two
 * active runs. Clients' keys live in another namespace (see `idempotency.ts`).
 */
export function nextRunKey(sessionId: string, previousRunId: string | undefined): string {
  return `baton:${sessionId}:after:${previousRunId ?? 'start'}`;
}

/** The run that answers messages committed after `previous` ended (or in its last moments); its input names the first. */
function nextRun(
  sessionId: string,
  agent: string,
  previous: RunRecord | undefined,
  runId: string,
  message: string,
): NewRun {
  const model = previous?.input.model;
  return inCurrentTrace({
    id: runId,
    sessionId,
    agent,
    kind: 'message',
    input: { message, ...(typeof model === 'string' && { model }) },
    idempotencyKey: nextRunKey(sessionId, previous?.id),
    agentModule: previous?.agentModule ?? null,
  });
}

/**
 * Commits a message to a session and, in the same transaction, makes sure a run will read it:
 * while the newest run is active the message joins its inbox (the commit requires the run to
 * be still active), otherwise the message and the session's next run commit together (the
 * commit requires that run not to exist yet). When another commit got in first, it re-reads
 * and decides again. Returns the id of the run that will read the message.
 */
export async function deliverToSession(
  context: Pick<RuntimeContext, 'store'>,
  session: SessionRecord,
  message: EventDraft<'message.received'>,
  caller: CallerIdentity | undefined,
  /** Events committed just before the message, in the same transaction (a `schedule.fired`). */
  before: readonly EventDraft[] = [],
): Promise<string> {
  const sessionPatch = caller ? { auth: { ...session.auth, current: caller } } : undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const latest = (await context.store.listRuns({ sessionId: session.id, limit: 1 })).items[0];
    const active = latest !== undefined && ACTIVE_RUN_STATUSES.includes(latest.status);
    const runId = active ? latest.id : newId('run');
    // A run that idle-yields for its background children is woken by any message: queued again
    // in the commit that delivers it. The commit requires the status seen here, so a run that
    // parks meanwhile makes this decide again instead of leaving the message unseen.
    const wake = active && latest.status === 'waiting' && (await waitsForChildren(context, latest));
    try {
      await context.store.append(session.id, [...before, message], {
        runId,
        ...(sessionPatch && { sessionPatch }),
        ...(active
          ? {
              requireRunStatus: [latest.status],
              ...(wake && { runPatch: { status: 'queued', lease: null } }),
            }
          : { createRun: nextRun(session.id, session.agent, latest, runId, message.data.text) }),
      });
      return runId;
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
    }
  }
  throw new ConflictError(
    `session ${session.id} kept changing while the message was delivered; send it again`,
  );
}

/** Whether the waiting `run` idle-yielded for background children (its last `run.waiting` says so). */
async function waitsForChildren(context: Pick<RuntimeContext, 'store'>, run: RunRecord): Promise<boolean> {
  const wait = await latestWait(context.store, run);
  return wait?.waitingOn === 'children' && wait.taskIds !== undefined;
}

/** A run's successful end, as the turn's answer gives it. */
export function succeededEnd(answer: { text: string; usage: Usage }): EventDraft {
  return { type: 'run.completed', data: { status: 'succeeded', text: answer.text, usage: answer.usage } };
}

/**
 * Commits a run's successful end together with the answer the turn staged, only while the log's
 * head is the one the journal last saw and it jumped over nothing unread: then no message can be
 * waiting that the run never read, and `commitRunEnd`'s follow-up check would find nothing.
 * False (nothing committed) otherwise; the turn then commits its answer alone and looks again.
 */
export async function commitAnsweredEnd(
  journal: StoreJournal,
  answer: { text: string; usage: Usage },
  runPatch: RunPatch,
): Promise<boolean> {
  if (journal.mayHaveUnread(journal.knownHead)) return false;
  try {
    await journal.appendMany([succeededEnd(answer)], runPatch, { expectedHeadSeq: journal.knownHead });
    return true;
  } catch (error) {
    if (error instanceof AppendConflictError) return false;
    throw error;
  }
}

/**
 * Commits a run's terminal event. With `followUp`, messages committed to the session that the
 * run never read (delivered between its last step boundary and its end) get the session's next
 * run in the same commit; the commit is conditional on the log's head, so a message that lands
 * while this decides makes it decide again. Nothing is ever left unread, even across crashes.
 */
export async function commitRunEnd(
  context: RuntimeContext,
  run: RunRecord,
  journal: StoreJournal,
  draft: EventDraft,
  options: { followUp: boolean; runPatch?: RunPatch },
): Promise<BatonEvent> {
  let followUp = options.followUp && run.kind === 'message';
  if (!followUp) return (await journal.appendMany([draft], options.runPatch))[0] as BatonEvent;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // On Postgres the head of the run's latest append, without a round trip: a stale one only
    // fails the conditional commit, and the next attempt sees the head that commit met.
    const head = context.store.stepBoundary
      ? (await context.store.stepBoundary(run.sessionId, run.id)).head
      : await context.store.head(run.sessionId);
    const unread =
      followUp && journal.mayHaveUnread(head?.seq ?? -1)
        ? await firstUnreadMessage(context, run, journal.seen, head?.seq ?? -1)
        : undefined;
    try {
      const [event] = await journal.appendMany([draft], options.runPatch, {
        expectedHeadSeq: head?.seq ?? null,
        ...(unread && { createRun: nextRun(run.sessionId, run.agent, run, newId('run'), unread.data.text) }),
      });
      return event as BatonEvent;
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
      // The next run already exists: it reads everything this one did not.
      if (error.reason === 'run_exists') followUp = false;
    }
  }
  throw new ConflictError(`run ${run.id} could not commit its end while its session kept changing`);
}

/**
 * The first message with `seq` in (`seen`, `upTo`]: committed to the session, never handed to
 * the run's turn. The next run reads them all from the log; its input names the first.
 */
async function firstUnreadMessage(
  context: RuntimeContext,
  run: RunRecord,
  seen: number,
  upTo: number,
): Promise<BatonEvent<'message.received'> | undefined> {
  const [first] = await context.store.readEvents(run.sessionId, {
    from: seen + 1,
    types: ['message.received'],
    limit: 1,
  });
  return first?.type === 'message.received' && first.seq <= upTo ? first : undefined;
}
