import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../src/core/errors.js';
import { createRuntime, defineAgent, openStore, type Store, scriptedModel } from '../src/index.js';

// A crash after an answer's `message.completed` committed and before its `step.completed` did,
// with a user message delivered in between: the resumed attempt must answer that message, not
// end the turn on the answer the model gave before it saw it (the message would be lost: the
// attempt read it, so no follow-up run is queued for it either).

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function answering() {
  return defineAgent({
    name: 'answerer',
    instructions: 'Answer the latest message.',
    model: scriptedModel((request) => ({ text: `answered ${request.lastUserText}` })),
  });
}

/** `store`, but its first append carrying `step.completed` dies as a crash would: nothing written. */
function crashingAtStepCompleted(store: Store): Store {
  let crashed = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'append') {
        const value = Reflect.get(target, property, receiver);
        // The store's methods read its private fields: they run on the store itself.
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<Store['append']>) => {
        const [, drafts, options] = args;
        if (!crashed && drafts.some((draft) => draft.type === 'step.completed')) {
          crashed = true;
          throw new LeaseLostError(options.runId);
        }
        return target.append(...args);
      };
    },
  });
}

describe('a resumed answer followed by a message', () => {
  it('answers the message delivered between the answer and its step.completed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-resume-answer-'));
    dirs.push(dir);
    const store = await openStore(join(dir, 'baton.db'));
    try {
      const first = createRuntime({ store: crashingAtStepCompleted(store), agents: [answering()] });
      const started = await first.start({ agent: 'answerer', message: 'A' });
      const interrupted = await first.execute(started.runId);
      expect(interrupted.status).toBe('running');
      await first.deliver({ continuationToken: started.continuationToken as string, message: 'B' });
      await first.close();

      const second = createRuntime({ store, agents: [answering()] });
      const resumed = await second.execute(started.runId);
      // A follow-up run the end queued for B, if any, answers it.
      const runs = await store.listRuns({ sessionId: started.sessionId, limit: 10 });
      for (const run of runs.items) if (run.status === 'queued') await second.execute(run.id);
      await second.close();
      const events = await store.readEvents(started.sessionId);
      const answers = events.flatMap((event) =>
        event.type === 'message.completed' && event.data.toolCalls.length === 0 ? [event.data.text] : [],
      );
      // B was answered, by this run or by a follow-up run the session queued for it.
      expect(answers).toContain('answered B');
      expect(resumed.status).toBe('succeeded');
    } finally {
      await store.close();
    }
  });
});
