import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EventDraft } from '../src/core/events.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import type { RunKind } from '../src/runtime/run-kind.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';

// What the runtime cannot record goes to the logger it was given, as one structured line;
// without one it stays silent.

/** A store whose appends of `run.failed` fail, as a full disk would. */
function storeThatCannotRecordFailures(): Store {
  const store = new MemoryStore();
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (...args: Parameters<Store['append']>) =>
          args[1].some((draft: EventDraft) => draft.type === 'run.failed')
            ? Promise.reject(new Error('disk full'))
            : target.append(...args);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      // The store's methods use private fields: they must run on the store itself.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function runThatThrows(store: Store): Promise<string> {
  await store.createSession({ id: 'ses_1', agent: 'a', context: {}, auth: {}, tokenHash: 'h' });
  const { run } = await store.createRun({
    id: 'run_1',
    sessionId: 'ses_1',
    agent: 'a',
    kind: 'explodes',
    input: {},
    idempotencyKey: null,
  });
  return run.id;
}

const explodes: RunKind = {
  name: 'explodes',
  inputSchema: z.object({}),
  claim: 'kind',
  definitionHash: async () => 'explodes-v1',
  execute: async () => {
    throw new Error('the kind broke');
  },
};

describe('the runtime logger', () => {
  it('reports a run.failed it could not record, with the failure and why it was not recorded', async () => {
    const lines: Record<string, unknown>[] = [];
    const store = storeThatCannotRecordFailures();
    const runtime = createRuntime({
      store,
      kinds: [explodes],
      logger: createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    const runId = await runThatThrows(store);
    await runtime.execute(runId);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'could not record run.failed',
        runId,
        sessionId: 'ses_1',
        failure: { code: 'internal', message: 'the kind broke' },
        error: expect.objectContaining({ message: 'disk full' }),
      }),
    );
  });

  it('is silent by default', async () => {
    const store = storeThatCannotRecordFailures();
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const runtime = createRuntime({ store, kinds: [explodes] });
      await runtime.execute(await runThatThrows(store));
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).not.toContain('run.failed');
  });
});
