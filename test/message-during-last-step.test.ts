import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, defineAgent, openStore, type Runtime, scriptedModel } from '../src/index.js';
import type { Store } from '../src/store/store.js';
import { postgresStores } from './helpers/postgres-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-last-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresStores('last_step');

const STORES: Record<string, () => Promise<Store>> = {
  sqlite: () => openStore(join(dir, `${Math.random().toString(36).slice(2)}.db`)),
  postgres: () => postgres.open(),
};

describe.each(Object.keys(STORES))(
  'a message that came during the last step a run may take, on %s',
  (kind) => {
    // The run's one step answered FIRST; SECOND came while the model worked on it. No step is left
    // to answer SECOND, so the run ends with its answer and SECOND goes to the session's next run.
    it('ends the run with its answer and queues the message for the next run', async () => {
      let runtime: Runtime | undefined;
      let token = '';
      const agent = defineAgent({
        name: 'one-step',
        instructions: 'Answer.',
        limits: { maxSteps: 1 },
        model: scriptedModel(async (request) => {
          if (request.lastUserText === 'FIRST')
            await runtime?.deliver({ continuationToken: token, message: 'SECOND' });
          return { text: `answering ${request.lastUserText ?? ''}` };
        }),
      });
      const store = await (STORES[kind] as () => Promise<Store>)();
      runtime = createRuntime({ store, agents: [agent] });
      try {
        const started = await runtime.start({ agent: 'one-step', message: 'FIRST' });
        token = started.continuationToken ?? '';
        expect(await runtime.execute(started.runId)).toMatchObject({
          status: 'succeeded',
          result: { text: 'answering FIRST' },
        });
        const next = (await runtime.listRuns({ sessionId: started.sessionId })).items.find(
          (run) => run.id !== started.runId,
        );
        expect(next).toMatchObject({ status: 'queued', input: { message: 'SECOND' } });
        expect(await runtime.execute(next?.id ?? '')).toMatchObject({
          status: 'succeeded',
          result: { text: 'answering SECOND' },
        });
      } finally {
        await runtime.close();
        if (kind === 'sqlite') await store.close();
      }
    });
  },
);
