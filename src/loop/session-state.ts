import type { GateLedger } from '../core/gates.js';
import { readGates } from '../core/gates.js';
import { ContextState } from './context-state.js';
import type { ResumePlan } from './resume-plan.js';
import { planResume } from './resume-plan.js';
import type { SessionLog } from './session-checkpoint.js';
import { unansweredOf } from './session-checkpoint.js';
import { SkillActivations } from './skills/skill-activations.js';
import type { TranscriptOptions } from './transcript.js';
import { Transcript } from './transcript.js';

/** What a turn rebuilds from the session log before its first step. */
export interface SessionState {
  plan: ResumePlan;
  transcript: Transcript;
  context: ContextState;
  gates: GateLedger;
  activations: SkillActivations;
}

/**
 * Rebuilds the session for `runId` from what the journal loaded: the whole log, or a
 * checkpoint and the events after it — the same state either way (test/checkpoint.test.ts).
 */
export function rebuildSession(
  log: SessionLog,
  runId: string,
  options: { initialContext?: Record<string, unknown> | undefined; transcript?: TranscriptOptions } = {},
): SessionState {
  const { checkpoint, events } = log;
  const { initialContext, transcript = {} } = options;
  if (checkpoint === undefined) {
    return {
      plan: planResume(events, runId),
      transcript: Transcript.fromEvents(events, runId, transcript),
      context: ContextState.fromEvents(events, initialContext),
      gates: readGates(events),
      activations: SkillActivations.fromEvents(events),
    };
  }
  // Without a `session.started` context the initial one sits under the logged writes, as in a full read.
  const base = checkpoint.contextFromLog ? checkpoint.context : { ...initialContext, ...checkpoint.context };
  return {
    plan: planResume(events, runId, unansweredOf(checkpoint)),
    transcript: Transcript.fromSnapshot(checkpoint.transcript, events, runId, transcript),
    context: ContextState.fromEvents(events, base),
    gates: readGates(events, checkpoint.gates),
    activations: SkillActivations.fromEvents(events, checkpoint.skills),
  };
}
