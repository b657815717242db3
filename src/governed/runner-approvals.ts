import { ForbiddenError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
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
