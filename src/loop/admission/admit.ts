import type { Agent } from '../../core/agent.js';
import type { ErrorBody } from '../../core/errors.js';
import type { EventDataByType } from '../../core/events.js';
import { observeAdmission } from '../../telemetry/instrumentation.js';
import { collectAgents } from '../handoffs.js';
import type { Journal } from '../journal.js';
import type { AdmissionState } from './admission-state.js';
import { DEFAULT_INVARIANTS } from './built-in-invariants.js';
import type { AdmissionSettings } from './check-admission.js';
import { checkAdmission, rejectionMessage } from './check-admission.js';
import type { AdmissionContext } from './invariant.js';

type Verdict = EventDataByType['admission.checked'];

/** The error a rejected verdict fails the run with. */
export function rejection(verdict: Verdict): ErrorBody | undefined {
  return verdict.ok
    ? undefined
    : { code: 'admission_rejected', message: rejectionMessage(verdict.violations) };
}

/**
 * Checks the graph reachable from `active` (built-in invariants, then the runtime's), commits
 * `admission.checked` and applies its clamps to `state`. Returns the verdict ({@link rejection}
 * says the error a reject fails the run with).
 * At a run's start, a lone agent (no handoffs) that passes unchanged commits nothing: most runs
 * are that, and the check is repeated identically on resume, so the event would only say
 * "nothing to admit". A handoff's verdict is always committed.
 */
export async function admit(
  journal: Journal,
  settings: AdmissionSettings | undefined,
  active: Agent,
  state: AdmissionState,
  context: Omit<AdmissionContext, 'removedTools'>,
  /** The tool call about to start a child run of `active` (point `child`). */
  toolCallId?: string,
): Promise<Verdict> {
  const invariants = [...DEFAULT_INVARIANTS, ...(settings?.invariants ?? [])];
  const checked = checkAdmission(invariants, active, state, context, settings?.counters);
  observeAdmission({ point: context.point, ...checked });
  const verdict = toolCallId === undefined ? checked : { ...checked, toolCallId };
  const trivial =
    context.point === 'run.start' &&
    verdict.ok &&
    verdict.clamps.length === 0 &&
    collectAgents(active).size === 1;
  if (!trivial) await journal.append({ type: 'admission.checked', data: verdict });
  state.apply(verdict.clamps);
  return verdict;
}
