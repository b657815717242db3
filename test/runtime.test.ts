import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { Agent } from '../src/core/agent.js';
import { defineAgent } from '../src/core/agent.js';
import { ConflictError, InvalidTokenError, NotFoundError } from '../src/core/errors.js';
import { guardrail } from '../src/core/guardrail.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import type { Runtime } from '../src/runtime/types.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { chatAgent, checkLog, gatedAgent, threeCallAgent } from './fixtures/runtime-agents.js';
import { withLateMessage } from './helpers/late-message.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-runtime-'));
const STORES: Record<string, () => Store> = {
  memory: () => new MemoryStore(),
  sqlite: () => new SqliteStore(join(mkdtempSync(join(dir, 'db-')), 'baton.db')),
};
const runtimes: Runtime[] = [];
let makeStore: () => Store = STORES.memory as () => Store;

function runtimeWith(agents: Agent[], store: Store = makeStore()): Runtime {
  const runtime = createRuntime({ store, agents });
  runtimes.push(runtime);
  return runtime;
}

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) {
    await runtime.close();
    await runtime.store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(Object.keys(STORES))('on the %s store', (kind) => {
  beforeEach(() => {
    makeStore = STORES[kind] as () => Store;
  });

  describe('runtime start and execute', () => {
    it('runs a started session to success and records the whole turn in a valid chain', async () => {
      const { agent, executions } = threeCallAgent();
      const runtime = runtimeWith([agent]);
      const started = await runtime.start({ agent: 'three-calls', message: 'go' });
      expect(started.continuationToken).toMatch(/^[\w-]{20,}$/);
      const run = await runtime.execute(started.runId);
      expect(run.status).toBe('succeeded');
      expect(run.result).toEqual({ text: 'done' });
      expect(run.attempt).toBe(1);
      expect(run.lease).toBeNull();
      expect(executions).toHaveLength(3);
      const types = checkLog(await runtime.store.readEvents(started.sessionId));
      // The message is committed with the start, before any worker can claim the run.
      expect(types.slice(0, 3)).toEqual(['session.started', 'message.received', 'run.started']);
      expect(types.at(-1)).toBe('run.completed');
      expect(types.filter((type) => type === 'tool.result')).toHaveLength(3);
      const session = await runtime.getSession(started.sessionId);
      expect(session.status).toBe('idle');
      expect(session.runs.map((entry) => entry.id)).toEqual([started.runId]);
      expect(JSON.stringify(session)).not.toContain('tokenHash');
    });

    it('replays a repeated idempotency key: the token only to the same authenticated caller', async () => {
      const runtime = runtimeWith([chatAgent()]);
      const alice = { kind: 'basic' as const, subject: 'alice' };
      const first = await runtime.start({
        agent: 'chat',
        message: 'hi',
        idempotencyKey: 'key-1',
        caller: alice,
      });
      const second = await runtime.start({
        agent: 'chat',
        message: 'hi',
        idempotencyKey: 'key-1',
        caller: alice,
      });
      expect(second).toEqual({ ...first, replayed: true });
      expect((await runtime.listRuns()).items).toHaveLength(1);
      const followUp = await runtime.deliver({
        continuationToken: second.continuationToken as string,
        message: 'again',
      });
      expect(followUp.sessionId).toBe(first.sessionId);
      // The anonymous principal gets the ids back, never the token.
      const anonymous = await runtime.start({ agent: 'chat', message: 'hi', idempotencyKey: 'key-2' });
      const replay = await runtime.start({ agent: 'chat', message: 'hi', idempotencyKey: 'key-2' });
      expect(replay).toEqual({ sessionId: anonymous.sessionId, runId: anonymous.runId, replayed: true });
      // Another principal naming the key is a conflict, not a way into the session.
      await expect(
        runtime.start({
          agent: 'chat',
          message: 'hi',
          idempotencyKey: 'key-1',
          caller: { kind: 'basic', subject: 'mallory' },
        }),
      ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    });

    it('rejects an unknown agent at start and an unknown run or session on lookup', async () => {
      const runtime = runtimeWith([chatAgent()]);
      await expect(runtime.start({ agent: 'nobody', message: 'hi' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(runtime.getRun('run_missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(runtime.getSession('ses_missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('hands back, queued and untouched, a run whose agent the executing runtime does not have', async () => {
      const starter = runtimeWith([chatAgent()]);
      const executor = createRuntime({ store: starter.store, agents: [] });
      const { runId, sessionId } = await starter.start({ agent: 'chat', message: 'hi' });
      const run = await executor.execute(runId);
      expect(run).toMatchObject({ status: 'queued', error: null, lease: null });
      expect((await starter.store.readEvents(sessionId)).map((event) => event.type)).toEqual([
        'session.started',
        'message.received',
      ]);
      expect((await starter.execute(runId)).status).toBe('succeeded');
    });
  });

  describe('runtime deliver', () => {
    it('rejects a wrong continuation token with a typed error', async () => {
      const runtime = runtimeWith([chatAgent()]);
      await expect(runtime.deliver({ continuationToken: 'nope', message: 'hi' })).rejects.toBeInstanceOf(
        InvalidTokenError,
      );
    });

    it('starts a new run that continues the conversation when the session is idle', async () => {
      const runtime = runtimeWith([chatAgent()]);
      const first = await runtime.start({ agent: 'chat', message: 'one' });
      await runtime.execute(first.runId);
      const second = await runtime.deliver({
        continuationToken: first.continuationToken as string,
        message: 'two',
      });
      expect(second.runId).not.toBe(first.runId);
      expect((await runtime.getRun(second.runId)).status).toBe('queued');
      const run = await runtime.execute(second.runId);
      expect(run.result).toEqual({ text: 'echo: two' });
      checkLog(await runtime.store.readEvents(first.sessionId));
    });

    it('puts a message delivered during an active run into that run and the turn reads it', async () => {
      const gated = gatedAgent();
      const runtime = runtimeWith([gated.agent]);
      const started = await runtime.start({ agent: 'gated', message: 'first' });
      const execution = runtime.execute(started.runId);
      await gated.started;
      const delivered = await runtime.deliver({
        continuationToken: started.continuationToken as string,
        message: 'second',
      });
      expect(delivered.runId).toBe(started.runId);
      gated.release();
      const run = await execution;
      expect(run.result).toEqual({ text: 'seen: first | second' });
      expect((await runtime.listRuns()).items).toHaveLength(1);
    });
    /** `makeStore()`, where a message `late` lands just before the first commit of a run's end. */
    const lateMessageStore = (): Store => withLateMessage(makeStore());

    it('answers a message that arrived after the last step boundary with a follow-up run', async () => {
      // An output guardrail screens the answer, so the answer commits before it and the run's
      // end on its own: the message lands between the turn's final inbox check and run.completed.
      const screened = defineAgent({
        name: 'chat',
        instructions: 'Repeat the user.',
        model: scriptedModel((request) => ({ text: `echo: ${request.lastUserText ?? ''}` })),
        guardrails: [guardrail({ name: 'pass', on: 'output', check: () => ({ tripwire: false }) })],
      });
      const runtime = runtimeWith([screened], lateMessageStore());
      const { runId, sessionId } = await runtime.start({ agent: 'chat', message: 'early' });
      expect((await runtime.execute(runId)).result).toEqual({ text: 'echo: early' });
      const runs = (await runtime.listRuns({ sessionId })).items;
      expect(runs).toHaveLength(2);
      const followUp = runs.find((run) => run.id !== runId);
      expect(followUp).toMatchObject({ status: 'queued', input: { message: 'late' } });
      expect((await runtime.execute(followUp?.id ?? '')).result).toEqual({ text: 'echo: late' });
    });

    it('answers, in the same run, a message that arrived before the commit of its answer and its end', async () => {
      const runtime = runtimeWith([chatAgent()], lateMessageStore());
      const { runId, sessionId } = await runtime.start({ agent: 'chat', message: 'early' });
      // The answer and run.completed commit only if nothing came since the turn last looked:
      // here the message did, so the answer commits alone and another step answers the message.
      expect((await runtime.execute(runId)).result).toEqual({ text: 'echo: late' });
      expect((await runtime.listRuns({ sessionId })).items).toHaveLength(1);
      const said = (await runtime.store.readEvents(sessionId)).flatMap((event) =>
        event.type === 'message.received' || event.type === 'message.completed' ? [event.data.text] : [],
      );
      expect(said).toEqual(['early', 'late', 'echo: early', 'echo: late']);
    });

    /** The chat agent with one step, recording the prompt of every model call as role: text. */
    const oneStepChat = (screenInput?: (text: string) => boolean) => {
      const prompts: string[][] = [];
      const agent = defineAgent({
        name: 'chat',
        instructions: 'Repeat the user.',
        limits: { maxSteps: 1 },
        model: scriptedModel((request) => {
          prompts.push(
            request.prompt.slice(1).map((message) => {
              const part = Array.isArray(message.content) ? message.content[0] : undefined;
              return `${message.role}: ${part && 'text' in part ? part.text : ''}`;
            }),
          );
          return { text: `echo: ${request.lastUserText ?? ''}` };
        }),
        ...(screenInput && {
          guardrails: [
            guardrail({ name: 'noLate', on: 'input', check: (text) => ({ tripwire: screenInput(text) }) }),
          ],
        }),
      });
      return { agent, prompts };
    };

    it('with no step left for a message that came while the model answered, ends with the answer and leaves the message to the next run', async () => {
      const { agent, prompts } = oneStepChat();
      const runtime = runtimeWith([agent], lateMessageStore());
      const { runId, sessionId } = await runtime.start({ agent: 'chat', message: 'early' });
      // The message overtook the answer; the one step is spent, so the run's answer stands.
      const run = await runtime.execute(runId);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'echo: early' } });
      const followUp = (await runtime.listRuns({ sessionId })).items.find((item) => item.id !== runId);
      expect(followUp).toMatchObject({ status: 'queued', input: { message: 'late' } });
      // The log holds the message before the answer that never saw it; the next run is shown
      // the conversation in the order it had, its prompt ending with the message.
      expect((await runtime.execute(followUp?.id ?? '')).result).toEqual({ text: 'echo: late' });
      expect(prompts).toEqual([['user: early'], ['user: early', 'assistant: echo: early', 'user: late']]);
    });

    it('screens a message left to the next run with its input guardrails', async () => {
      const { agent, prompts } = oneStepChat((text) => text === 'late');
      const runtime = runtimeWith([agent], lateMessageStore());
      const { runId, sessionId } = await runtime.start({ agent: 'chat', message: 'early' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      const followUp = (await runtime.listRuns({ sessionId })).items.find((item) => item.id !== runId);
      const screened = await runtime.execute(followUp?.id ?? '');
      expect(screened.status).toBe('failed');
      expect(screened.error?.code).toBe('guardrail_tripped');
      // The model never saw the refused message.
      expect(prompts).toEqual([['user: early']]);
    });
  });

  describe('runtime cancel and retry', () => {
    it('cancels a queued run at once and refuses to cancel it twice', async () => {
      const runtime = runtimeWith([chatAgent()]);
      const { runId, sessionId } = await runtime.start({ agent: 'chat', message: 'hi' });
      const run = await runtime.cancel(runId);
      expect(run.status).toBe('cancelled');
      expect(run.lease).toBeNull();
      expect(checkLog(await runtime.store.readEvents(sessionId)).at(-1)).toBe('run.cancelled');
      await expect(runtime.cancel(runId)).rejects.toBeInstanceOf(ConflictError);
      expect((await runtime.execute(runId)).status).toBe('cancelled');
    });

    it('cancels a running run through its signal', async () => {
      const gated = gatedAgent();
      const runtime = runtimeWith([gated.agent]);
      const { runId, sessionId } = await runtime.start({ agent: 'gated', message: 'hi' });
      const execution = runtime.execute(runId);
      await gated.started;
      const requested = await runtime.cancel(runId);
      expect(requested.cancelRequested).toBe(true);
      expect((await execution).status).toBe('cancelled');
      expect(checkLog(await runtime.store.readEvents(sessionId)).at(-1)).toBe('run.cancelled');
      expect((await runtime.getSession(sessionId)).status).toBe('idle');
    });

    it('cancels a run executing in another runtime at its next step boundary, long before a lease renewal', async () => {
      const gated = gatedAgent();
      // A TTL of a minute: the next renewal (which also reads the flag) is 20 s away.
      const executing = createRuntime({ store: makeStore(), agents: [gated.agent], leaseTtlMs: 60_000 });
      runtimes.push(executing);
      const canceller = runtimeWith([gated.agent], executing.store);
      const { runId, sessionId } = await executing.start({ agent: 'gated', message: 'hi' });
      const execution = executing.execute(runId);
      await gated.started;
      expect((await canceller.cancel(runId)).cancelRequested).toBe(true);
      gated.release();
      expect((await execution).status).toBe('cancelled');
      const types = checkLog(await executing.store.readEvents(sessionId));
      expect(types.at(-1)).toBe('run.cancelled');
      expect(types.filter((type) => type === 'message.completed')).toHaveLength(1);
    });

    it('retries a failed run under the same id with the next attempt, and refuses other statuses', async () => {
      const runtime = runtimeWith([chatAgent(), silentAgent()]);
      const ok = await runtime.start({ agent: 'chat', message: 'hi' });
      expect((await runtime.execute(ok.runId)).status).toBe('succeeded');
      await expect(runtime.retry(ok.runId)).rejects.toBeInstanceOf(ConflictError);
      const { runId, sessionId } = await runtime.start({ agent: 'silent', message: 'hi' });
      const failed = await runtime.execute(runId);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('script_exhausted');
      expect((await runtime.getSession(sessionId)).status).toBe('failed');
      const retried = await runtime.retry(runId);
      expect(retried).toMatchObject({ id: runId, status: 'queued', attempt: 2, error: null });
      expect((await runtime.execute(runId)).attempt).toBe(2);
      const starts = await runtime.store.readEvents(sessionId, { types: ['run.started'] });
      expect(starts.map((event) => (event.type === 'run.started' ? event.data.attempt : 0))).toEqual([1, 2]);
    });
  });

  describe('runtime views', () => {
    it('never shows lease tokens in run views', async () => {
      const gated = gatedAgent();
      const runtime = runtimeWith([gated.agent]);
      const { runId } = await runtime.start({ agent: 'gated', message: 'hi' });
      const execution = runtime.execute(runId);
      await gated.started;
      const view = await waitFor(
        async () => {
          const run = await runtime.getRun(runId);
          return run.lease ? run : undefined;
        },
        { message: 'the run to be leased' },
      );
      expect(Object.keys(view.lease ?? {}).sort()).toEqual(['expiresAt', 'owner']);
      gated.release();
      await execution;
    });
  });
});

/** An agent whose script is empty: every model call fails with `script_exhausted`. */
function silentAgent(): Agent {
  return defineAgent({ name: 'silent', instructions: 'Say nothing.', model: scriptedModel([]) });
}
