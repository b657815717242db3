import { LeaseLostError } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import type { ChildOutcome, ChildRuns, ChildStart } from '../loop/children.js';
import { AppendConflictError } from '../store/append-conflict.js';
import { isRunEnded } from '../store/records.js';
import type { RunRecord, SessionRecord } from '../store/run-store.js';
import { isRecordedChild } from './recorded-child.js';
import type { RuntimeContext } from './runtime-context.js';
import { commitStart } from './sessions.js';

/** How many times recording a child's end re-reads after someone else appended to the parent first. */
const MAX_ATTEMPTS = 100;

/**
 * How often the idle workers' sweep looks at a parent parked on its children, in case a child's
 * end was never recorded on it (its worker died between its own commit and the parent's).
 */
export const CHILD_RECHECK_MS = 30_000;

/** The idempotency key of a child's run: one child per parent session and call (fan-out index included). */
export function childRunKey(parentSessionId: string, key: string): string {
  return `baton:${parentSessionId}:child:${key}`;
}

/** A child session's run (a child session has one: nobody else holds its token). */
async function childRun(context: RuntimeContext, childSessionId: string): Promise<RunRecord | undefined> {
  return (await context.store.listRuns({ sessionId: childSessionId, limit: 1 })).items[0];
}

function outcomeOf(run: RunRecord): ChildOutcome {
  if (run.status === 'succeeded') {
    const text = (run.result as { text?: unknown } | null)?.text;
    return { status: 'succeeded', output: typeof text === 'string' ? text : run.result, usage: run.usage };
  }
  return {
    status: run.status === 'cancelled' ? 'cancelled' : 'failed',
    output: run.error,
    usage: run.usage,
  };
}

/**
 * Records a settled child on its parent's log as `subagent.completed`, once: the commit is
 * conditional on the parent log's head, so the child's own worker and a parent that looks
 * itself cannot both record it. When the parent run is parked the same commit queues it again.
 * Returns the recorded outcome, or undefined while the child runs (or the parent has not yet
 * recorded its start: it looks again once it has).
 */
export async function settleChild(
  context: RuntimeContext,
  childSessionId: string,
): Promise<ChildOutcome | undefined> {
  const child = await context.store.getSession(childSessionId);
  const parentSessionId = child?.parentSessionId;
  if (!parentSessionId) return undefined;
  const run = await childRun(context, childSessionId);
  if (run === undefined || !isRunEnded(run.status)) return undefined;
  const outcome = outcomeOf(run);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const head = (await context.store.head(parentSessionId))?.seq ?? null;
    const events = await context.store.readEvents(parentSessionId, {
      types: ['subagent.started', 'subagent.completed'],
    });
    const mine = (event: BatonEvent) =>
      (event.type === 'subagent.started' || event.type === 'subagent.completed') &&
      event.data.childSessionId === childSessionId;
    const recorded = events.find((event) => event.type === 'subagent.completed' && mine(event));
    if (recorded?.type === 'subagent.completed') {
      const { status, output, usage } = recorded.data;
      return { status, output, usage };
    }
    const started = events.find((event) => event.type === 'subagent.started' && mine(event));
    if (started === undefined) return undefined;
    const parent = await context.store.getRun(started.runId);
    const parked = parent?.status === 'waiting';
    try {
      await context.store.append(
        parentSessionId,
        [{ type: 'subagent.completed', data: { childSessionId, ...outcome } }],
        {
          runId: started.runId,
          expectedHeadSeq: head,
          ...(parked && {
            runPatch: { status: 'queued', lease: null },
            sessionPatch: { status: 'running' },
            requireRunStatus: ['waiting'],
          }),
        },
      );
      return outcome;
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
    }
  }
  return undefined;
}

/**
 * After a run of a child session ended: records it on the parent (which it wakes). A failure is
 * only logged: the parent finds the child's end itself whenever it next runs.
 */
export async function notifyParent(
  context: RuntimeContext,
  run: Pick<RunRecord, 'id' | 'sessionId' | 'pool'>,
  readSession?: () => Promise<Pick<SessionRecord, 'parentSessionId'> | undefined>,
): Promise<void> {
  // Only a pool's runner executes a pool run, and a runner has no sessions to read (its store is
  // the plane's runner API): looking would only fail. A parent finds the child's end itself.
  if (run.pool !== null) return;
  // A session's parent never changes, so a record read earlier says whether there is one to
  // tell; when that read failed, `settleChild` reads the session itself.
  const session = await readSession?.().catch(() => undefined);
  if (session !== undefined && session.parentSessionId === null) return;
  try {
    await settleChild(context, run.sessionId);
  } catch (error) {
    context.logger.warn('could not record a child run on its parent', { runId: run.id, error });
  }
}

/**
 * The child sessions a run started that have not settled, from its session's log; only sessions
 * recorded as its session's children ({@link isRecordedChild}), so a forged `subagent.started`
 * neither loops the tree a run executes nor runs an unrelated session's run.
 */
export async function runningChildren(
  context: RuntimeContext,
  run: Pick<RunRecord, 'id' | 'sessionId'>,
): Promise<string[]> {
  const events = await context.store.readEvents(run.sessionId, {
    types: ['subagent.started', 'subagent.completed'],
  });
  const running = new Set<string>();
  for (const event of events) {
    if (event.type === 'subagent.started' && event.runId === run.id) running.add(event.data.childSessionId);
    if (event.type === 'subagent.completed') running.delete(event.data.childSessionId);
  }
  const recorded = await Promise.all(
    [...running].map(async (child) =>
      (await isRecordedChild(context.store, child, run.sessionId)) ? [child] : [],
    ),
  );
  return recorded.flat();
}

/**
 * The sweep's look at a run parked on its children whose re-check time passed: records the
 * children that ended (which queues it again) and, when none had, sets the next re-check (fenced
 * by the parked lease's token, so a run queued meanwhile is left alone). True when it queued it.
 */
export async function recheckChildren(context: RuntimeContext, run: RunRecord): Promise<boolean> {
  const children = await runningChildren(context, run);
  if (children.length === 0 || run.lease === null) return false;
  for (const childSessionId of children) {
    if ((await settleChild(context, childSessionId)) !== undefined) return true;
  }
  const lease = { ...run.lease, expiresAt: Date.now() + CHILD_RECHECK_MS };
  await context.store.updateRun(run.id, { lease }, { runId: run.id, token: run.lease.token }).catch(
    // The run left its parking meanwhile (a child's end or a decision queued it): nothing to re-arm.
    (error: unknown) => {
      if (!(error instanceof LeaseLostError)) throw error;
    },
  );
  return false;
}

/** The active run of each child session given (to cancel them with their parent). */
export async function activeChildRuns(
  context: RuntimeContext,
  childSessionIds: string[],
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const id of childSessionIds) {
    const run = await childRun(context, id);
    if (run !== undefined && !isRunEnded(run.status)) runs.push(run);
  }
  return runs;
}

/** The runtime's {@link ChildRuns} for one parent run: child sessions in its store. */
export function childRunsFor(context: RuntimeContext, parent: RunRecord): ChildRuns {
  return {
    async start(child: ChildStart) {
      const session = await context.store.getSession(parent.sessionId);
      const started = await commitStart(
        context,
        {
          agent: child.agent.name,
          message: child.message,
          ...(session?.auth.initiator && { caller: session.auth.initiator }),
          ...(parent.agentModule !== null && { agentModule: parent.agentModule }),
          ...(typeof parent.input.model === 'string' && { model: parent.input.model }),
        },
        childRunKey(parent.sessionId, child.key),
        [],
        {
          parentSessionId: parent.sessionId,
          parentToolCallId: child.toolCallId,
          input: { runPath: child.runPath, ...(child.clamps.length > 0 && { clamps: child.clamps }) },
        },
      );
      return { childSessionId: started.run.sessionId };
    },
    settle: (childSessionId) => settleChild(context, childSessionId),
  };
}
