import type { RuntimeContext } from './runtime-context.js';

/**
 * True while a run this runtime serves is queued or running anywhere: it may still need this
 * worker (a run held by another worker becomes claimable if that worker dies). Runs it does
 * not serve never keep it waiting.
 */
export async function hasPendingWork(context: RuntimeContext): Promise<boolean> {
  const { items } = await context.store.listRuns({
    status: ['queued', 'running'],
    filter: context.served.filter(),
    limit: 1,
  });
  return items.length > 0;
}
