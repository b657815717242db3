import { describe, expect, it } from 'vitest';
import { createRuntime, defineAgent, type Runtime, scriptedModel } from '../src/index.js';
import { postgresStores } from './helpers/postgres-stores.js';

// On Postgres a run learns at its step boundary what others appended from what its own latest
// commit returned (no round trip). The commit of an answer is therefore what tells a run about
// a message another process delivered while the model was answering: that commit must not be
// put off to the run's end, or the message would be queued for a new run behind the answer it
// came before.

const stores = postgresStores('answer_race');

/**
 * Two runtimes on one Postgres schema (two processes: neither's commits are in the other's
 * caches) serving `racer`, whose first model call has `other` deliver SECOND to the session
 * before it answers FIRST; later calls answer the last user message. `prompts` records each
 * call's prompt after the system message.
 */
async function racers(limits?: { maxSteps: number }) {
  let other: Runtime | undefined;
  let token = '';
  const prompts: string[][] = [];
  const agent = defineAgent({
    name: 'racer',
    instructions: 'Answer.',
    ...(limits && { limits }),
    model: scriptedModel(async (request) => {
      prompts.push(request.prompt.slice(1).map((message) => JSON.stringify(message.content)));
      if (prompts.length > 1) return { text: `answering ${request.lastUserText ?? ''}` };
      await other?.deliver({ continuationToken: token, message: 'SECOND' });
      return { text: 'answering FIRST' };
    }),
  });
  const runtime = createRuntime({ store: await stores.open(), agents: [agent] });
  other = createRuntime({ store: await stores.open(), agents: [agent] });
  const start = async () => {
    const started = await runtime.start({ agent: 'racer', message: 'FIRST' });
    token = started.continuationToken ?? '';
    return started;
  };
  const close = async () => {
    await other?.close();
    await runtime.close();
  };
  return { runtime, prompts, start, close };
}

describe('a message delivered during the final model call, from another process', () => {
  it('is answered by the same run, after the answer it arrived during', async () => {
    const { runtime, start, close } = await racers();
    try {
      const started = await start();
      const run = await runtime.execute(started.runId);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answering SECOND' } });
      const events = await runtime.store.readEvents(started.sessionId);
      const said = events.flatMap((event) =>
        event.type === 'message.received' || event.type === 'message.completed' ? [event.data.text] : [],
      );
      expect(said).toEqual(['FIRST', 'SECOND', 'answering FIRST', 'answering SECOND']);
      expect(new Set(events.map((event) => event.runId))).toEqual(new Set([started.runId]));
    } finally {
      await close();
    }
  });

  it('with no step left, ends the run with its answer and is answered by the next run, after it', async () => {
    const { runtime, prompts, start, close } = await racers({ maxSteps: 1 });
    try {
      const started = await start();
      const run = await runtime.execute(started.runId);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answering FIRST' } });
      const next = (await runtime.listRuns({ sessionId: started.sessionId })).items.find(
        (item) => item.id !== started.runId,
      );
      expect(next).toMatchObject({ status: 'queued', input: { message: 'SECOND' } });
      const answered = await runtime.execute(next?.id ?? '');
      expect(answered).toMatchObject({ status: 'succeeded', result: { text: 'answering SECOND' } });
      // The next run's prompt has the conversation in the order it had, not the log's.
      expect(prompts[1]?.map((content) => JSON.parse(content)[0]?.text)).toEqual([
        'FIRST',
        'answering FIRST',
        'SECOND',
      ]);
    } finally {
      await close();
    }
  });
});
