import type { EventDraft } from '../core/events.js';
import type { RunPatch, SessionPatch } from '../store/run-store.js';

/** The side-table updates that must commit in the same transaction as a run lifecycle event. */
export interface LifecyclePatches {
  runPatch?: RunPatch;
  sessionPatch?: SessionPatch;
}

/**
 * Maps a run lifecycle event to its run/session updates, so that status, usage and result can
 * never disagree with the log. Terminal events also drop the lease. Session status: `running`
 * while a run is queued or executes, `idle` after success or cancellation, `failed` after a
 * failure; `run.retried` queues a failed run again.
 */
export function lifecyclePatches(draft: EventDraft, now: string): LifecyclePatches {
  switch (draft.type) {
    case 'run.started':
      return {
        runPatch: {
          status: 'running',
          attempt: draft.data.attempt,
          startedAttempt: draft.data.attempt,
          definitionHash: draft.data.definitionHash,
        },
        sessionPatch: { status: 'running' },
      };
    case 'run.completed':
      return {
        runPatch: {
          status: 'succeeded',
          usage: draft.data.usage,
          result: { text: draft.data.text },
          error: null,
          finishedAt: now,
          lease: null,
        },
        sessionPatch: { status: 'idle' },
      };
    case 'run.failed':
      return {
        runPatch: { status: 'failed', error: draft.data.error, finishedAt: now, lease: null },
        sessionPatch: { status: 'failed' },
      };
    case 'run.cancelled':
      return {
        runPatch: { status: 'cancelled', finishedAt: now, lease: null },
        sessionPatch: { status: 'idle' },
      };
    case 'run.retried':
      return {
        runPatch: {
          status: 'queued',
          attempt: draft.data.attempt,
          error: null,
          finishedAt: null,
          lease: null,
          cancelRequested: false,
        },
        sessionPatch: { status: 'running' },
      };
    case 'run.waiting': {
      // Parked, held by no worker (`parkRun` sets its lease); a decision or a child's end queues
      // it again. Only a wait for a person makes the session `waiting`: a parent waiting on its
      // children is still at work, so its streams stay open.
      const forPerson = draft.data.approvalIds.length + draft.data.requestIds.length > 0;
      return {
        runPatch: { status: 'waiting' },
        sessionPatch: { status: forPerson ? 'waiting' : 'running' },
      };
    }
    default:
      return {};
  }
}
