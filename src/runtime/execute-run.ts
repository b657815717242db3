import type { Agent } from '../core/agent.js';
import type { ErrorBody } from '../core/errors.js';
import { CancelledError, LeaseLostError, toErrorBody } from '../core/errors.js';
import type { Usage } from '../core/events.js';
import { newSecret } from '../core/ids.js';
import { describeIssue } from '../core/standard-schema.js';
import type { TurnOutcome } from '../loop/types.js';
import { isRunEnded } from '../store/records.js';
import type { Claim, Fence, RunRecord, RunStatus } from '../store/run-store.js';
import { StoreCorruptError } from '../store/store-corrupt.js';
import { withLogFields } from '../telemetry/logger.js';
import { ActiveTime } from './active-time.js';
import { childRunsFor, notifyParent } from './child-runs.js';
import { commitAnsweredEnd, commitRunEnd, succeededEnd } from './follow-up.js';
import { keepLease } from './lease-keeper.js';
import { parkRun } from './park-run.js';
import { cancelChildren } from './run-control.js';
import type { RunKindContext } from './run-kind.js';
import type { RuntimeContext, StopReason } from './runtime-context.js';
import { startAttemptOf } from './start-attempt.js';
import { StoreJournal } from './store-journal.js';
import type { ExecutionSettled } from './types.js';
import { DEFERRED_OWNER } from './worker-identity.js';

/** Options of {@link executeClaim}. */
export interface ExecuteClaimOptions {
  owner: string;
  ttlMs: number;
  /**
   * Aborting it drains the work and hands the run back (lease released, run resumable): the
   * step in flight may finish and commit, and the run stops at its next step boundary, or
   * after `drainGraceMs` at the latest.
   */
  signal?: AbortSignal;
  /** How long a step in flight may take to commit after shutdown began (default 10 s). */
  drainGraceMs?: number;
  /** When the claim was asked for (epoch ms): the `baton.lease.claim` span runs from it to now. */
  claimStartedAt?: number;
}

/** Default time a step in flight gets to commit once a worker starts shutting down. */
export const DEFAULT_DRAIN_GRACE_MS = 10_000;

/** Events since a session's last checkpoint after which a run's end writes a new one. */
export const CHECKPOINT_MIN_EVENTS = 64;

/** Returned by the start when this runtime does not serve the run's agent after all. */
const UNSERVED = Symbol('unserved');

/** How an execution settled, and the run as read once it had (when it was read). */
export interface SettledExecution {
  settled: ExecutionSettled;
  run?: RunRecord;
}

/**
 * Runs one claimed run to its end (or until it is stopped) under its lease: checks the agent
 * and its definition hash, commits `run.started`, runs the turn, commits the outcome.
 * After a lost lease nothing more is written: the new holder owns the log. A run whose agent
 * this runtime cannot find is handed back `queued`, untouched, for a worker that serves it.
 */
export function executeClaim(
  context: RuntimeContext,
  claim: Claim,
  options: ExecuteClaimOptions,
): Promise<SettledExecution> {
  // Every line logged about this execution names it: its attempt, its lease keeper, its hand-back.
  const { run } = claim;
  const fields = { sessionId: run.sessionId, runId: run.id, workerId: options.owner };
  return withLogFields(fields, () => executeLogged(context, claim, options, Date.now()));
}

async function executeLogged(
  context: RuntimeContext,
  claim: Claim,
  options: ExecuteClaimOptions,
  claimedAt: number,
): Promise<SettledExecution> {
  const { run, lease } = claim;
  const fence: Fence = { runId: run.id, token: lease.token };
  const controller = new AbortController();
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    if (stopReason) return;
    stopReason = reason;
    controller.abort(reason === 'lease_lost' ? new LeaseLostError(run.id) : new CancelledError());
  };
  // Shutdown drains: the step in flight commits, then the run stops at the next boundary.
  // A step that does not get there within the grace period is aborted (and resumed later).
  let draining: NodeJS.Timeout | undefined;
  const onShutdown = (): void => {
    draining ??= setTimeout(() => stop('shutdown'), options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS);
  };
  if (options.signal?.aborted) stop('shutdown');
  options.signal?.addEventListener('abort', onShutdown, { once: true });
  context.executions.set(run.id, { stop });
  const active = new ActiveTime(run.activeMs);
  const keeper = keepLease({
    store: context.store,
    fence,
    ttlMs: options.ttlMs,
    activeMs: () => active.total(),
    onLost: () => stop('lease_lost'),
    onCancelRequested: () => stop('cancel'),
    logger: context.logger,
  });
  const observer = context.instrumentation.observeRun(
    run,
    options.owner,
    options.claimStartedAt === undefined
      ? undefined
      : { startedAt: options.claimStartedAt, endedAt: claimedAt, ttlMs: options.ttlMs },
  );
  const journal = new StoreJournal({
    observer,
    claimedSession: claim.session,
    claimedEvents: claim.events,
    // Its end queues the session's next run for messages it never read (`commitRunEnd`).
    nextRunReadsUnread: run.kind === 'message',
    store: context.store,
    bus: context.bus,
    sessionId: run.sessionId,
    runId: run.id,
    fence,
    onStepBoundary: ({ cancelRequested }) => {
      if (draining) stop('shutdown');
      else if (cancelRequested) stop('cancel');
    },
  });
  /** The turn committed the run's end with its answer (`commitAnswer`): the outcome is committed. */
  let answerCommitted = false;
  const commitAnswer = async (answer: { text: string; usage: Usage }): Promise<boolean> => {
    if (!(await commitAnsweredEnd(journal, answer, { activeMs: active.total() }))) return false;
    answerCommitted = true;
    // The end cleared the lease: a renewal now would find it gone and call the run lost.
    keeper.stop();
    return true;
  };
  let unserved = false;
  /** The status of the terminal event this attempt committed: it cleared the lease, so there is nothing to hand back. */
  let endedAs: EndStatus | undefined;
  try {
    const execute = () =>
      startAndRun(context, run, journal, {
        owner: options.owner,
        signal: controller.signal,
        active,
        commitAnswer,
      });
    const outcome = await observer.attempt(execute);
    if (outcome === UNSERVED) {
      unserved = true;
      await context.store.updateRun(run.id, { status: 'queued', lease: null }, fence);
    } else if (outcome) {
      endedAs = answerCommitted
        ? 'succeeded'
        : await commitOutcome(context, run, journal, fence, outcome, stopReason, active);
      if (endedAs !== undefined) {
        keeper.stop();
        await saveCheckpoint(context, journal);
      }
    }
  } catch (error) {
    // A damaged database is the operator's to fix: nothing is recorded, the worker stops.
    if (error instanceof StoreCorruptError) throw error;
    if (answerCommitted) {
      // The run ended (succeeded) before what threw, e.g. closing its agent's MCP servers.
      endedAs = 'succeeded';
      context.logger.warn('a run that succeeded failed afterwards', { runId: run.id, error });
    } else if (!(error instanceof LeaseLostError) && stopReason !== 'lease_lost') {
      // A lost lease means another worker owns the log now: write nothing, not even a failure.
      const failure = toErrorBody(error);
      await journal
        .appendMany([{ type: 'run.failed', data: { error: failure } }], { activeMs: active.total() })
        .catch((recordError: unknown) =>
          // The run stays running until its lease expires and a worker resumes it; without this
          // line nobody would learn why it failed, nor that the failure was not recorded.
          context.logger.error('could not record run.failed', {
            runId: run.id,
            sessionId: run.sessionId,
            failure,
            error: recordError,
          }),
        );
    }
  } finally {
    clearTimeout(draining);
    keeper.stop();
    options.signal?.removeEventListener('abort', onShutdown);
    context.executions.delete(run.id);
    observer.end();
    // A run handed back keeps its active time for whoever resumes it; after a takeover (other
    // token) both writes are fenced out. After a terminal event they would be too, so they are
    // not tried: two transactions less at the end of every run.
    const handBackFailed = (error: unknown): void => {
      if (!(error instanceof LeaseLostError))
        context.logger.warn('could not hand the run back; it resumes once its lease expires', {
          runId: run.id,
          error,
        });
    };
    if (endedAs === undefined) {
      await context.store.updateRun(run.id, { activeMs: active.total() }, fence).catch(handBackFailed);
      await context.store.releaseLease(fence).catch(handBackFailed);
    }
  }
  if (unserved) return { settled: 'unserved' };
  if (stopReason === 'lease_lost' && endedAs === undefined) return { settled: 'lease_lost' };
  // A run whose end this attempt committed has the status it committed, so it is not read again
  // (a statement less per run on Postgres); `execute` reads the record it returns itself.
  const after = endedAs === undefined ? await context.store.getRun(run.id) : undefined;
  const status = endedAs ?? after?.status;
  if (status !== undefined && isRunEnded(status)) await settleFamily(context, { ...run, status }, journal);
  const settled = stopReason === 'shutdown' && status === 'running' ? 'released' : 'ended';
  return { settled, ...(after && { run: after }) };
}

/** The statuses a run's end gives it. */
type EndStatus = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;

/** After a run ended: its parent (if it is a child) learns of it; a cancelled one's children are cancelled. */
async function settleFamily(
  context: RuntimeContext,
  run: Pick<RunRecord, 'id' | 'sessionId' | 'pool' | 'status'>,
  journal: StoreJournal,
): Promise<void> {
  // The session as the attempt read it tells whether it has a parent.
  await notifyParent(context, run, () => journal.session());
  if (run.status !== 'cancelled') return;
  await cancelChildren(context, run).catch((error: unknown) =>
    // The run itself is cancelled; children left running end when their own cancel is retried.
    context.logger.warn('could not cancel the children of a cancelled run', { runId: run.id, error }),
  );
}

/**
 * Checks that the run may start, commits `run.started`, and runs its kind; undefined when it
 * ended early, {@link UNSERVED} when this runtime does not have the run's kind or agent.
 */
async function startAndRun(
  context: RuntimeContext,
  run: RunRecord,
  journal: StoreJournal,
  parts: AttemptParts,
): Promise<TurnOutcome | typeof UNSERVED | undefined> {
  const { owner, signal, active } = parts;
  const fail = async (error: ErrorBody): Promise<undefined> => {
    await journal.appendMany([{ type: 'run.failed', data: { error } }], { activeMs: active.total() });
    return undefined;
  };
  if (run.cancelRequested) {
    await journal.appendMany([{ type: 'run.cancelled', data: { reason: 'cancel requested before start' } }]);
    return undefined;
  }
  const kind = context.kinds.get(run.kind);
  // Claimed without a filter (`execute(runId)`) by a runtime that lacks the kind: never fail it for that.
  if (!kind) return UNSERVED;
  let agent: Agent | undefined;
  if (kind.claim === 'agent') {
    agent = await context.served.agentFor(run);
    if (!agent) {
      // Claimed on a module that turned out not to define the agent: never fail the run for it.
      context.served.refuse(run, `it does not define an agent named ${JSON.stringify(run.agent)}`);
      return UNSERVED;
    }
  }
  const parsed = await kind.inputSchema['~standard'].validate(run.input);
  if (parsed.issues) {
    const issue = parsed.issues[0];
    const detail = issue ? describeIssue(issue) : 'invalid';
    return fail({
      code: 'invalid_request',
      message: `run ${run.id} has an invalid ${run.kind} input: ${detail}`,
    });
  }
  const definitionContext = {
    run,
    input: parsed.value,
    agent,
    store: context.store,
    agents: context.agents,
  };
  // What the kind works with must be what the run started with.
  let definitionHash: string;
  try {
    definitionHash = await kind.definitionHash(definitionContext);
  } catch (error) {
    return fail(toErrorBody(error));
  }
  if (run.definitionHash !== null && run.definitionHash !== definitionHash)
    return fail(definitionChanged(run));
  const { attempt, resumed } = startAttemptOf(run);
  await journal.append({
    type: 'run.started',
    data: { agent: agent?.name ?? run.agent, attempt, definitionHash, kind: run.kind, worker: owner },
  });
  const kindContext = {
    ...definitionContext,
    journal,
    session: () => journal.session(),
    signal,
    turnOptions: context.turnOptions,
    activeMsBefore: active.total(),
    withAgentTools: context.withAgentTools,
    env: context.env,
    children: childRunsFor(context, run),
    commitAnswer: parts.commitAnswer,
  };
  return resumed && kind.resume ? kind.resume(kindContext) : kind.execute(kindContext);
}

/** What one attempt of a run works with, besides the run and its journal. */
interface AttemptParts {
  owner: string;
  signal: AbortSignal;
  active: ActiveTime;
  commitAnswer: RunKindContext['commitAnswer'];
}

/** Why a resumed run does not go on: what it runs is not what it started with. */
function definitionChanged(run: RunRecord): ErrorBody {
  return {
    code: 'definition_changed',
    message: `agent ${run.agent} changed since run ${run.id} started; its transcript is not replayed into a different agent`,
  };
}

/**
 * Commits the turn's outcome; a stop for shutdown or lease loss commits nothing. A finished
 * turn's end also queues the next run for messages it never read (in the same commit).
 * The status it gave the run when it committed the run's end; undefined when it did not.
 */
async function commitOutcome(
  context: RuntimeContext,
  run: RunRecord,
  journal: StoreJournal,
  fence: Fence,
  outcome: TurnOutcome,
  stopReason: StopReason | undefined,
  active: ActiveTime,
): Promise<EndStatus | undefined> {
  const activeMs = active.total();
  switch (outcome.status) {
    case 'succeeded':
      await commitRunEnd(context, run, journal, succeededEnd(outcome), {
        followUp: true,
        runPatch: { activeMs },
      });
      return 'succeeded';
    case 'failed':
      await commitRunEnd(
        context,
        run,
        journal,
        { type: 'run.failed', data: { error: outcome.error } },
        { followUp: true, runPatch: { usage: outcome.usage, activeMs } },
      );
      return 'failed';
    case 'cancelled':
      // Shutdown hands the run back for another worker to resume; only a cancel ends it.
      if (stopReason === 'shutdown' || stopReason === 'lease_lost') return undefined;
      await commitRunEnd(
        context,
        run,
        journal,
        { type: 'run.cancelled', data: {} },
        { followUp: false, runPatch: { usage: outcome.usage, activeMs } },
      );
      return 'cancelled';
    case 'waiting':
      await parkRun(context, journal, outcome, activeMs);
      return undefined;
    case 'deferred':
      // The run waits out a long Retry-After: a lease owned by nobody that expires at `retryAt`
      // makes it claimable again exactly then, by any worker.
      await context.store.updateRun(
        run.id,
        {
          usage: outcome.usage,
          activeMs,
          lease: { owner: DEFERRED_OWNER, token: newSecret(), expiresAt: outcome.retryAt },
        },
        fence,
      );
      return undefined;
  }
}

/**
 * Writes the session's transcript checkpoint after a run's end, so the next run starts from it
 * (docs/architecture.md, "Checkpoints"). Only once enough events came since the last one: a
 * checkpoint costs a blob of the whole transcript, and a few events more to read cost less.
 */
async function saveCheckpoint(context: RuntimeContext, journal: StoreJournal): Promise<void> {
  try {
    await journal.checkpoint(CHECKPOINT_MIN_EVENTS);
  } catch (error) {
    // The run has ended either way; without a checkpoint the next run reads the whole log.
    context.logger.warn('could not write the transcript checkpoint', {
      sessionId: journal.sessionId,
      runId: journal.runId,
      error,
    });
  }
}
