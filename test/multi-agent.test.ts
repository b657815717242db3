import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Agent, AgentOptions, BatonEvent, Runtime, Store } from '../src/index.js';
import {
  acyclicHandoffs,
  admissionCounters,
  createRuntime,
  defineAgent,
  defineInvariant,
  guardrail,
  scriptedModel,
  tool,
  transfer,
} from '../src/index.js';
import type { AdmissionSettings } from '../src/loop/admission/check-admission.js';
import type { ScriptedRequest, ScriptedStep } from '../src/model/scripted-model.js';
import { checkLog } from './fixtures/runtime-agents.js';
import { suiteStores } from './helpers/suite-stores.js';

const { stores: STORES, track } = suiteStores('multi-agent', { poolSize: 2 });

type Reply = (request: ScriptedRequest) => ScriptedStep;

/** An agent answering with `reply`; `model` and `instructions` filled in. */
function agent(name: string, reply: Reply, options: Partial<AgentOptions> = {}): Agent {
  return defineAgent({ name, instructions: `You are ${name}.`, model: scriptedModel(reply), ...options });
}

const handOffTo = (target: string, reason?: string): ScriptedStep => ({
  toolCalls: [{ name: `transfer_to_${target}`, input: reason === undefined ? {} : { reason } }],
});

/** The data of every event of `type` in the log. */
function dataOf<T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T) {
  return events.flatMap((event) =>
    event.type === type ? [event.data as Extract<BatonEvent, { type: T }>['data']] : [],
  );
}

describe.each(Object.keys(STORES))('multi-agent primitives on %s', (kind) => {
  async function runtimeWith(agents: Agent[], admission?: AdmissionSettings): Promise<Runtime> {
    const store = await (STORES[kind] as () => Promise<Store>)();
    const runtime = createRuntime({ store, agents, ...(admission && { admission }) });
    track(runtime);
    return runtime;
  }

  /** Starts a session of `root` with `message`, executes its run, returns the run and the session log. */
  async function runOnce(runtime: Runtime, root: string, message = 'hello') {
    const started = await runtime.start({ agent: root, message });
    const run = await runtime.execute(started.runId);
    const events = await runtime.store.readEvents(started.sessionId);
    checkLog(events);
    return { run, events, started };
  }

  describe('handoffs', () => {
    it('commits handoff.occurred with the reason the model gave, after admitting the target', async () => {
      const billing = agent('billing', () => ({ text: 'Refunded.' }));
      const triage = agent('triage', () => handOffTo('billing', 'wants a refund'), { handoffs: [billing] });
      const { run, events } = await runOnce(await runtimeWith([triage]), 'triage');
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'Refunded.' } });
      expect(dataOf(events, 'handoff.occurred')).toEqual([
        { from: 'triage', to: 'billing', reason: 'wants a refund' },
      ]);
      const types = events.map((event) => event.type);
      // Admitted at the run's start and again before the handoff, which precedes the step's end.
      expect(types.filter((type) => type === 'admission.checked')).toHaveLength(2);
      const handoffAt = types.indexOf('handoff.occurred');
      expect(types[handoffAt - 1]).toBe('admission.checked');
      expect(types[handoffAt + 1]).toBe('step.completed');
    });

    it('fails the run with max_handoffs on the handoff past limits.maxHandoffs', async () => {
      const closer = agent('closer', () => ({ text: 'closed' }));
      const billing = agent('billing', () => handOffTo('triage'), {
        handoffs: [transfer(defineAgent({ name: 'triage', instructions: '', model: 'openai:x' }))],
      });
      // `triage` is reached back by name: a fresh definition stands in for the cycle.
      const triage: Agent = agent('triage', () => handOffTo('billing'), {
        handoffs: [billing, closer],
        limits: { maxHandoffs: 2 },
      });
      const { run, events } = await runOnce(await runtimeWith([triage]), 'triage');
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ code: 'max_handoffs' });
      expect(dataOf(events, 'handoff.occurred').map((data) => `${data.from}>${data.to}`)).toEqual([
        'triage>billing',
        'billing>triage',
      ]);
    });

    it("shows the target only the history its transfer's inputFilter keeps", async () => {
      const seen: string[][] = [];
      const billing = agent('billing', (request) => {
        seen.push(request.prompt.map((message) => message.role));
        return { text: 'Billing here.' };
      });
      const triage = agent(
        'triage',
        (request) => (request.step === 0 ? { text: 'let me see', toolCalls: [] } : handOffTo('billing')),
        {
          handoffs: [
            transfer(billing, {
              description: 'Billing questions',
              inputFilter: (history) => history.filter((message) => message.role === 'user'),
            }),
          ],
        },
      );
      const runtime = await runtimeWith([triage]);
      // The first message is answered by triage; the follow-up is handed to billing.
      const { started } = await runOnce(runtime, 'triage', 'first');
      const next = await runtime.deliver({
        continuationToken: started.continuationToken as string,
        message: 'refund',
      });
      const run = await runtime.execute(next.runId);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'Billing here.' } });
      // Without the filter billing would see system, user, assistant, user, assistant, tool.
      expect(seen).toEqual([['system', 'user', 'user']]);
    });
  });

  describe('guardrails', () => {
    const noPasswords = guardrail({
      name: 'noPasswords',
      on: 'input',
      check: (text) => ({ tripwire: text.includes('password'), reason: 'mentions a password' }),
    });

    it('an input guardrail fails the run before the model sees the message', async () => {
      let calls = 0;
      const root = agent(
        'guarded',
        () => {
          calls += 1;
          return { text: 'hi' };
        },
        { guardrails: [noPasswords] },
      );
      const runtime = await runtimeWith([root]);
      const { run, events } = await runOnce(runtime, 'guarded', 'my password is hunter2');
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({
        code: 'guardrail_tripped',
        message: expect.stringContaining('noPasswords'),
      });
      expect(dataOf(events, 'guardrail.tripped')).toEqual([
        { name: 'noPasswords', on: 'input', reason: 'mentions a password', action: 'block' },
      ]);
      expect(calls).toBe(0);
      expect(events.some((event) => event.type === 'step.started')).toBe(false);
      // A harmless message passes the same guardrail.
      expect((await runOnce(runtime, 'guarded', 'hello')).run.status).toBe('succeeded');
    });

    it('an output guardrail fails the run instead of answering', async () => {
      const root = agent('leaky', () => ({ text: 'the secret is 42' }), {
        guardrails: [
          guardrail({
            name: 'noSecrets',
            on: 'output',
            check: (text) => ({ tripwire: text.includes('secret') }),
          }),
        ],
      });
      const { run, events } = await runOnce(await runtimeWith([root]), 'leaky');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'guardrail_tripped' } });
      expect(dataOf(events, 'guardrail.tripped')).toEqual([
        { name: 'noSecrets', on: 'output', reason: 'tripped', action: 'block' },
      ]);
      expect(events.some((event) => event.type === 'run.completed')).toBe(false);
    });

    it("a tool guardrail gives the call a blocked result, the tool never runs, and it covers handed-off agents' tools", async () => {
      const executed: string[] = [];
      const shell = tool({
        name: 'shell',
        description: 'runs a command',
        inputSchema: z.object({ command: z.string() }),
        execute: ({ command }) => {
          executed.push(command);
          return 'ran';
        },
      });
      const ops = agent(
        'ops',
        (request) =>
          request.lastRole === 'tool' && request.step > 2
            ? { text: 'done' }
            : { toolCalls: [{ name: 'shell', input: { command: request.step === 1 ? 'rm -rf /' : 'ls' } }] },
        { tools: [shell] },
      );
      const root = agent('lead', () => handOffTo('ops'), {
        handoffs: [ops],
        guardrails: [
          guardrail({
            name: 'noRm',
            on: 'tool',
            check: (call) => ({
              tripwire: JSON.stringify(call.input).includes('rm '),
              reason: 'destructive',
            }),
          }),
        ],
      });
      const { run, events } = await runOnce(await runtimeWith([root]), 'lead');
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'done' } });
      expect(executed).toEqual(['ls']);
      // Escalation to an approval is test/guardrail-escalate.test.ts's.
      expect(dataOf(events, 'guardrail.tripped')).toEqual([
        { name: 'noRm', on: 'tool', reason: 'destructive', action: 'block' },
      ]);
      const blocked = dataOf(events, 'tool.result').find((result) => !result.ok);
      expect(blocked).toMatchObject({ name: 'shell', error: { code: 'blocked' } });
      const started = dataOf(events, 'tool.started').map((data) => data.name);
      expect(started).toEqual(['transfer_to_ops', 'shell']);
    });

    it('a guardrail that throws trips (fails closed)', async () => {
      const root = agent('fragile', () => ({ text: 'hi' }), {
        guardrails: [
          guardrail({
            name: 'broken',
            on: 'input',
            check: () => {
              throw new Error('classifier down');
            },
          }),
        ],
      });
      const { run, events } = await runOnce(await runtimeWith([root]), 'fragile');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'guardrail_tripped' } });
      expect(dataOf(events, 'guardrail.tripped')[0]?.reason).toContain('classifier down');
    });
  });

  describe('admission', () => {
    it('rejects a handoff cycle with acyclicHandoffs, naming the invariant, before any step', async () => {
      const closer = agent('closer', () => ({ text: 'closed' }));
      const billing = agent('billing', () => ({ text: 'x' }), {
        handoffs: [defineAgent({ name: 'triage', instructions: '', model: 'openai:x', handoffs: [closer] })],
      });
      const triage = agent('triage', () => handOffTo('billing'), { handoffs: [billing, closer] });
      const counters = admissionCounters();
      const runtime = await runtimeWith([triage], { invariants: [acyclicHandoffs], counters });
      const { run, events } = await runOnce(runtime, 'triage');
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('admission_rejected');
      expect(run.error?.message).toContain('acyclicHandoffs');
      const [verdict] = dataOf(events, 'admission.checked');
      expect(verdict).toMatchObject({ ok: false, violations: [{ invariant: 'acyclicHandoffs' }] });
      expect(events.some((event) => event.type === 'step.started')).toBe(false);
      expect(counters).toEqual({ checks: 1, clamps: 0, rejects: 1 });
    });

    it("clamps a target's limits to the run's (budgetCeiling) and enforces a clamp", async () => {
      const looping = (request: ScriptedRequest): ScriptedStep => ({
        toolCalls: [{ name: 'refund', input: { n: request.step } }],
      });
      const refunds: number[] = [];
      const refund = tool({
        name: 'refund',
        description: 'refunds',
        inputSchema: z.object({ n: z.number() }),
        execute: ({ n }) => {
          refunds.push(n);
          return 'ok';
        },
      });
      const billing = agent('billing', looping, { tools: [refund], limits: { maxSteps: 50 } });
      const triage = agent('triage', () => handOffTo('billing'), {
        handoffs: [billing],
        limits: { maxSteps: 10 },
      });
      // A stricter house rule: billing gets at most 3 steps of the run.
      const tight = defineInvariant({
        name: 'tightBilling',
        check: (graph) =>
          graph.nodes.has('billing')
            ? { clamp: [{ agent: 'billing', limits: { maxSteps: 3 } }] }
            : { ok: true },
      });
      const counters = admissionCounters();
      const runtime = await runtimeWith([triage], { invariants: [tight], counters });
      const { run, events } = await runOnce(runtime, 'triage');
      const [atStart] = dataOf(events, 'admission.checked');
      expect(atStart).toEqual({
        ok: true,
        clamps: [
          { invariant: 'budgetCeiling', agent: 'billing', limits: { maxSteps: 10 } },
          { invariant: 'tightBilling', agent: 'billing', limits: { maxSteps: 3 } },
        ],
        violations: [],
      });
      // The clamp holds: billing stops at step 3 of the run, far below the run's own 10.
      expect(run).toMatchObject({ status: 'failed', error: { code: 'max_steps' } });
      expect(refunds).toEqual([1, 2]);
      expect(counters).toMatchObject({ checks: 2, clamps: 2, rejects: 0 });
    });

    it('removes a clamped tool from the agent, and an invariant that rejects names itself', async () => {
      const refund = tool({
        name: 'refund',
        description: 'refunds',
        inputSchema: z.object({}),
        execute: () => 'ok',
      });
      const billing = agent(
        'billing',
        (request) =>
          request.step === 1 ? { toolCalls: [{ name: 'refund', input: {} }] } : { text: 'no refund' },
        { tools: [refund] },
      );
      const triage = agent('triage', () => handOffTo('billing'), { handoffs: [billing] });
      const noRefunds = defineInvariant({
        name: 'noRefunds',
        check: () => ({ clamp: [{ agent: 'billing', removeTools: ['refund'] }] }),
      });
      const clamped = await runOnce(await runtimeWith([triage], { invariants: [noRefunds] }), 'triage');
      expect(clamped.run).toMatchObject({ status: 'succeeded', result: { text: 'no refund' } });
      expect(dataOf(clamped.events, 'tool.result').at(-1)).toMatchObject({
        name: 'refund',
        error: { code: 'unknown_tool' },
      });

      const noBilling = defineInvariant({
        name: 'noBilling',
        check: (graph, context) =>
          context.point === 'handoff' && graph.active === 'billing'
            ? { reject: 'billing is closed today' }
            : { ok: true },
      });
      const rejected = await runOnce(await runtimeWith([triage], { invariants: [noBilling] }), 'triage');
      expect(rejected.run.error).toEqual({
        code: 'admission_rejected',
        message: 'admission rejected by noBilling: billing is closed today',
      });
      expect(dataOf(rejected.events, 'handoff.occurred')).toEqual([]);
    });
  });

  describe('priority inbox', () => {
    /** An agent whose tool delivers a message of `priority` to its own session mid-turn. */
    async function deliveringRun(priority: 'user' | 'background') {
      const prompts: string[][] = [];
      let token = '';
      let runtime: Runtime | undefined;
      const notify = tool({
        name: 'notify',
        description: 'delivers a message',
        inputSchema: z.object({}),
        execute: async () => {
          await runtime?.deliver({ continuationToken: token, message: `${priority} news`, priority });
          return 'sent';
        },
      });
      const root = agent(
        'coordinator',
        (request) => {
          const users = request.prompt.flatMap((message) =>
            message.role === 'user'
              ? message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))
              : [],
          );
          prompts.push(users);
          if (request.step === 0) return { toolCalls: [{ name: 'notify', input: {} }] };
          return { text: `answer ${request.step} after ${request.lastRole}` };
        },
        { tools: [notify] },
      );
      runtime = await runtimeWith([root]);
      const started = await runtime.start({ agent: 'coordinator', message: 'go' });
      token = started.continuationToken as string;
      const run = await runtime.execute(started.runId);
      const events = await runtime.store.readEvents(started.sessionId);
      return { run, prompts, events };
    }

    it('a user message is drained at the next step boundary', async () => {
      const { run, prompts } = await deliveringRun('user');
      expect(prompts).toEqual([['go'], ['go', 'user news']]);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answer 1 after user' } });
    });

    it("a background message is not drained mid-turn: the model sees it after the turn's answer", async () => {
      const { run, prompts, events } = await deliveringRun('background');
      expect(prompts).toEqual([['go'], ['go'], ['go', 'background news']]);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answer 2 after user' } });
      expect(dataOf(events, 'message.received').map((data) => data.priority)).toEqual([
        undefined,
        'background',
      ]);
    });
  });
});
