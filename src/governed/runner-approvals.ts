import { ForbiddenError, ValidationError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
import { sessionOfGateId } from '../core/gates.js';
import type { Store } from '../store/store.js';

/**
 * Refuses (`runner_event_refused`, 403) a runner's `approval.decided` that is not its own
 * policy's (`by: 'policy'`) on an approval of this session a policy may decide. People decide
 * on the plane (who may decide: docs/http.md); a runner holds only a runner token and must not
 * record a decision in anyone's name, nor decide a `needsApproval: 'human'` call.
 */
export async function checkRunnerDecisions(
  store: Pick<Store, 'readEvents'>,
  sessionId: string,
  drafts: readonly EventDraft[],
): Promise<void> {
  const decisions = drafts.filter((draft) => draft.type === 'approval.decided');
  if (decisions.length === 0) return;
  const requests = [
    ...drafts,
    ...(await store.readEvents(sessionId, { types: ['approval.requested'] })),
  ].flatMap((event) => (event.type === 'approval.requested' ? [event.data] : []));
  for (const { data } of decisions) {
    const request = requests.find((candidate) => candidate.approvalId === data.approvalId);
    if (data.by !== 'policy' || request === undefined || request.human === true)
      throw new ForbiddenError(
        'runner_event_refused',
        `a runner records only its policy's decision on an approval a policy may decide: approval ${String(data.approvalId)} is decided on the plane`,
      );
  }
}

/**
 * Refuses (`invalid_request`, 400) a runner's approval or question whose id does not name the
 * run's own session. A gate id carries its session, and a decision on the plane goes to the
 * session its id names: a request in this session under another session's id would show people
 * this request while their decision applied to the other one.
 */
export function checkRunnerGateIds(sessionId: string, drafts: readonly EventDraft[]): void {
  for (const draft of drafts) {
    const [kind, id] =
      draft.type === 'approval.requested'
        ? (['approval', draft.data.approvalId] as const)
        : draft.type === 'input.requested'
          ? (['question', draft.data.requestId] as const)
          : [];
    if (kind === undefined) continue;
    if (sessionOfGateId(kind, id) !== sessionId)
      throw new ValidationError(
        `${draft.type} names ${kind} ${JSON.stringify(id)}, which is not an id of this run's session ${sessionId}`,
        kind === 'approval' ? 'approvalId' : 'requestId',
      );
  }
}
