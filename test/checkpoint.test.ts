import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineAgent,
  openStore,
  type ScriptedRequest,
  scriptedModel,
  tool,
} from '../src/index.js';
import { rebuildSession } from '../src/loop/session-state.js';
import type { ReadEventsOptions } from '../src/store/run-store.js';
import type { Store } from '../src/store/store.js';

const INSTRUCTIONS = 'Build when asked, answer otherwise.';

/** "build N": N - 1 tool calls, then an answer; anything else is answered at once. */
function sessionAgent(seen: LanguageModelV3Prompt[]) {
  return defineAgent({
    name: 'session',
    instructions: INSTRUCTIONS,
    limits: { maxSteps: 100 },
    tools: [
      tool({
        name: 'step',
        description: 'one step',
        inputSchema: z.object({ i: z.number() }),
        execute: ({ i }) => ({ i, ok: true }),
      }),
    ],
    model: scriptedModel((request: ScriptedRequest) => {
      seen.push(structuredClone(request.prompt));
      const steps = Number(/^build (\d+)/.exec(request.lastUserText ?? '')?.[1] ?? 1);
      let step = 0;
      for (let index = request.prompt.length - 1; index >= 0; index -= 1) {
        const role = request.prompt[index]?.role;
        if (role === 'user') break;
        if (role === 'assistant') step += 1;
      }
      return step < steps - 1
        ? { toolCalls: [{ name: 'step', input: { i: step } }] }
        : { text: `ok ${step}` };
    }),
  });
}

/** The store, recording the options of every `readEvents` call. */
function recording(store: Store): { store: Store; reads: (ReadEventsOptions | undefined)[] } {
  const reads: (ReadEventsOptions | undefined)[] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      if (property === 'readEvents')
        return (sessionId: string, options?: ReadEventsOptions) => {
          reads.push(options);
          return target.readEvents(sessionId, options);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, reads };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A SQLite session of 20 steps (past the checkpoint threshold), built and ended. */
async function longSession() {
  dir = mkdtempSync(join(tmpdir(), 'baton-checkpoint-'));
  const file = join(dir, 'baton.db');
  const base = await openStore(file);
  const { store, reads } = recording(base);
  const seen: LanguageModelV3Prompt[] = [];
  const runtime = createRuntime({ store, agents: [sessionAgent(seen)] });
  // A message of its own: checkpoints are content-addressed, and this process keeps parsed ones.
  const started = await runtime.start({ agent: 'session', message: `build 20 for ${randomUUID()}` });
  expect((await runtime.execute(started.runId)).status).toBe('succeeded');
  let token = started.continuationToken ?? '';
  /** Delivers a message and runs its run; returns what the model saw and what the run read. */
  const followUp = async (message: string) => {
    const delivered = await runtime.deliver({ continuationToken: token, message });
    token = delivered.continuationToken;
    // What a turn of this run rebuilds from the whole log, as the model should see it.
    const expected = rebuildSession({ events: await base.readEvents(started.sessionId) }, delivered.runId);
    expected.transcript.setInstructions(INSTRUCTIONS);
    const expectedPrompt = structuredClone(expected.transcript.modelPrompt);
    seen.length = 0;
    reads.length = 0;
    expect((await runtime.execute(delivered.runId)).status).toBe('succeeded');
    return { prompt: seen[0], expectedPrompt, reads: [...reads] };
  };
  const close = async () => {
    await runtime.close();
    await base.close();
  };
  const pointer = (await base.getSession(started.sessionId))?.checkpoint;
  if (!pointer) throw new Error('the first run wrote no checkpoint');
  return { store: base, file, sessionId: started.sessionId, pointer, followUp, close };
}

/** Whether a run's reads included the whole log (a read from seq 0 of every type). */
const readWholeLog = (reads: (ReadEventsOptions | undefined)[]) =>
  reads.some(
    (options) => options === undefined || (options.from === undefined && options.types === undefined),
  );

/** A follow-up that fell back to the whole log and showed the model what the log says. */
function expectFullRead(followUp: {
  prompt: unknown;
  expectedPrompt: unknown;
  reads: (ReadEventsOptions | undefined)[];
}): void {
  expect(followUp.prompt).toEqual(followUp.expectedPrompt);
  expect(readWholeLog(followUp.reads)).toBe(true);
}

describe('transcript checkpoints', () => {
  it('starts a follow-up from the checkpoint plus the events after it, showing the model the same conversation', async () => {
    const session = await longSession();
    try {
      const { pointer } = session;
      const head = await session.store.head(session.sessionId);
      // The first run's end wrote a checkpoint of the log up to its last event.
      expect(pointer?.seq).toBe(head?.seq);
      const { prompt, expectedPrompt, reads } = await session.followUp('and now?');
      expect(prompt).toEqual(expectedPrompt);
      expect(prompt?.filter((message) => message.role === 'assistant')).toHaveLength(20);
      expect(readWholeLog(reads)).toBe(false);
      expect(reads.some((options) => options?.from === pointer.seq + 1)).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('reads the whole log when the checkpoint blob is missing', async () => {
    const session = await longSession();
    try {
      await session.store.updateSession(session.sessionId, {
        checkpoint: { ...session.pointer, hash: 'f'.repeat(64) },
      });
      expectFullRead(await session.followUp('and now?'));
    } finally {
      await session.close();
    }
  });

  it('reads the whole log when the checkpoint blob is damaged or is not a checkpoint', async () => {
    const session = await longSession();
    try {
      const { pointer } = session;
      // Bytes changed on disk: they no longer hash to the blob's name.
      const db = new Database(session.file);
      db.prepare('UPDATE blobs SET bytes = ? WHERE hash = ?').run(Buffer.from('{"version":1,'), pointer.hash);
      db.close();
      expectFullRead(await session.followUp('first'));
      // Well-named bytes that are not JSON, then JSON that is not a checkpoint.
      for (const text of ['not json', JSON.stringify({ version: 1, seq: pointer.seq })]) {
        const hash = await session.store.putBlob(new TextEncoder().encode(text));
        await session.store.updateSession(session.sessionId, { checkpoint: { seq: pointer.seq, hash } });
        expectFullRead(await session.followUp(text));
      }
    } finally {
      await session.close();
    }
  });
});
