import type { Store } from '../../src/store/store.js';

/**
 * `store`, where a user message `late` lands in the session just before the first commit of a
 * run's end: after the turn's last look at its inbox, so the end's conditional commit (the
 * answer with `run.completed`) finds the log moved. Returns the same store, its `append` wrapped.
 */
export function withLateMessage<S extends Store>(store: S): S {
  const append = store.append.bind(store);
  let injected = false;
  store.append = async (sessionId, drafts, options) => {
    if (!injected && drafts.some((draft) => draft.type === 'run.completed')) {
      injected = true;
      await append(sessionId, [{ type: 'message.received', data: { role: 'user', text: 'late' } }], {
        runId: options.runId,
      });
    }
    return append(sessionId, drafts, options);
  };
  return store;
}
