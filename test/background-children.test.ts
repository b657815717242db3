import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChildTasks } from '../src/core/child-tasks.js';
import { storeChildTasks } from '../src/delegation/child-tasks.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import type { Agent, AgentOptions, BatonEvent, Runtime, Store } from '../src/index.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import type { ScriptedRequest, ScriptedStep } from '../src/model/scripted-model.js';
import { waitFor } from '../src/testing/wait-for.js';
import { checkLog } from './fixtures/runtime-agents.js';
import { suiteStores } from './helpers/suite-stores.js';

const { stores: STORES, track } = suiteStores('background-children', { poolSize: 2 });

type Reply = (request: ScriptedRequest) => ScriptedStep | Promise<ScriptedStep>;

function agent(name: string, reply: Reply, options: Partial<AgentOptions> = {}): Agent {
  return defineAgent({ name, instructions: `You are ${name}.`, model: scriptedModel(reply), ...options });
}

/** A specialist that answers `found <its message>`. */
const researcher = agent('researcher', (request) => ({ text: `found ${request.lastUserText}` }));
const spawn = researcher.asBackgroundTool();

/** Every user-role text of the prompt, in order. */
function userTexts(request: ScriptedRequest): string[] {
  return request.prompt.flatMap((message) =>
    message.role === 'user'
      ? message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))
      : [],
  );
}

/** The `<task-completed>` reports the prompt shows. */
function reports(request: ScriptedRequest): string[] {
  return userTexts(request).filter((text) => text.startsWith('<task-completed'));
}

/** The task ids the background tool returned, as the prompt shows them. */
function spawnedIds(request: ScriptedRequest): string[] {
  return request.prompt.flatMap((message) =>
    message.role === 'tool'
      ? message.content.flatMap((part) =>
          part.type === 'tool-result' && part.output.type === 'json'
            ? [(part.output.value as { taskId?: string }).taskId ?? []].flat()
            : [],
        )
      : [],
  );
}

/**
 * Agent `slow`, whose model call is held until `release()`: `entered()` says it is in that call,
 * so a test can act while the child is mid-run.
 */
function heldAgent(text: string): { slow: Agent; entered: () => boolean; release: () => void } {
  let entered = false;
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow = agent('slow', async () => {
    entered = true;
    await gate;
    return { text };
  });
  return { slow, entered: () => entered, release };
}

function dataOf<T extends BatonEvent['type']>(events: readonly BatonEvent[], type: T) {
  return events.flatMap((event) =>
    event.type === type ? [event.data as Extract<BatonEvent, { type: T }>['data']] : [],
  );
}

const spawnCall = (input: string) => ({ name: spawn.name, input: { input } });

describe.each(Object.keys(STORES))('background children on %s', (kind) => {
  async function runtimeWith(agents: Agent[], children?: (store: Store) => ChildTasks): Promise<Runtime> {
    const store = await (STORES[kind] as () => Promise<Store>)();
    const runtime = createRuntime({ store, agents, ...(children && { children: children(store) }) });
    track(runtime);
    return runtime;
  }

  /** The run carrying background child `taskId`. */
  async function childRun(runtime: Runtime, taskId: string): Promise<string> {
    const task = await runtime.store.getTask(taskId);
    return task?.runId as string;
  }

  async function log(runtime: Runtime, sessionId: string): Promise<BatonEvent[]> {
    const events = await runtime.store.readEvents(sessionId);
    checkLog(events);
    return events;
  }

  it("a background child's approval surfaces on the coordinator's session and children=1 stream; deciding it resumes the child", async () => {
    let writes = 0;
    const write = tool({
      name: 'write_report',
      description: 'writes the report',
      inputSchema: z.object({ text: z.string() }),
      needsApproval: true,
      execute: async () => {
        writes += 1;
        return { written: true };
      },
    });
    const writer = agent(
      'writer',
      (request) =>
        request.step === 0
          ? { toolCalls: [{ name: 'write_report', input: { text: 'r' } }] }
          : { text: 'wrote it' },
      { tools: [write] },
    );
    const spawnWriter = writer.asBackgroundTool();
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0
          ? { toolCalls: [{ name: spawnWriter.name, input: { input: 'write' } }] }
          : { text: `done: ${reports(request).length}` },
      { tools: [spawnWriter] },
    );
    const runtime = await runtimeWith([coordinator, writer]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    const [parked] = dataOf(await log(runtime, started.sessionId), 'run.waiting');
    const [taskId] = parked?.taskIds ?? [];
    const childRunId = await childRun(runtime, taskId as string);
    // The child's run waits inside itself for the decision; meanwhile the root session shows it.
    const child = runtime.execute(childRunId);
    const pending = await waitFor(
      async () => {
        const view = await runtime.getSession(started.sessionId);
        return view.pendingApprovals.length > 0 ? view.pendingApprovals : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, message: 'the child approval never surfaced on the root session' },
    );
    expect(pending).toMatchObject([{ name: 'write_report', runId: childRunId }]);
    const listed = await runtime.listApprovals({ sessionId: started.sessionId });
    expect(listed.items.map((approval) => approval.approvalId)).toEqual([pending[0]?.approvalId]);
    const streamed: { type: string; childSessionId?: string }[] = [];
    for await (const event of runtime.stream(started.sessionId, { children: true })) {
      streamed.push(event as { type: string; childSessionId?: string });
      if (event.type === 'approval.requested') break;
    }
    const childSessionId = (await runtime.getRun(childRunId)).sessionId;
    expect(streamed.at(-1)).toMatchObject({ type: 'approval.requested', childSessionId });
    await runtime.decide(pending[0]?.approvalId as string, { decision: 'approve' });
    expect((await child).status).toBe('succeeded');
    expect(writes).toBe(1);
    expect((await runtime.execute(started.runId)).status).toBe('succeeded');
  });

  it('a coordinator that spawns two children and ends its turn waits, is woken by each report, and answers', async () => {
    const coordinator = agent(
      'coordinator',
      (request) => {
        if (request.step === 0) return { toolCalls: [spawnCall('alpha'), spawnCall('beta')] };
        const seen = reports(request);
        if (seen.length < 2) return { text: `have ${seen.length} of 2` };
        return { text: `final: ${seen.join(' + ')}` };
      },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'research' });
    const waiting = await runtime.execute(started.runId);
    expect(waiting.status).toBe('waiting');
    // Only a wait for a person makes a session wait: this one is still at work.
    expect((await runtime.getSession(started.sessionId)).status).toBe('running');
    const [parked] = dataOf(await log(runtime, started.sessionId), 'run.waiting');
    expect(parked).toMatchObject({ approvalIds: [], requestIds: [], waitingOn: 'children' });
    const taskIds = parked?.taskIds as string[];
    expect(taskIds).toHaveLength(2);

    for (const [index, taskId] of taskIds.entries()) {
      expect((await runtime.execute(await childRun(runtime, taskId))).status).toBe('succeeded');
      // The report woke the parent: queued again, in the commit that delivered it.
      expect((await runtime.getRun(started.runId)).status).toBe('queued');
      const after = await runtime.execute(started.runId);
      expect(after.status).toBe(index === 0 ? 'waiting' : 'succeeded');
    }
    const run = await runtime.getRun(started.runId);
    expect(run.result).toMatchObject({
      text: expect.stringMatching(
        /^final: <task-completed task_id="task_[^"]+">found (alpha|beta)<\/task-completed> \+ /,
      ),
    });
    const events = await log(runtime, started.sessionId);
    expect(dataOf(events, 'run.waiting')).toHaveLength(2);
    const received = dataOf(events, 'message.received').filter((data) => data.priority === 'background');
    const reported = received.map((data) => /task_id="([^"]+)"/.exec(data.text)?.[1]);
    expect(reported.sort()).toEqual([...taskIds].sort());
    // Each child ran once, as its durable task.
    for (const taskId of taskIds) expect((await runtime.store.getTask(taskId))?.status).toBe('completed');
  });

  it('a child that finishes before the parent turn ends is delivered; mid-turn the user message is drained, the report is held to the answer', async () => {
    let runtime: Runtime | undefined;
    let token = '';
    const prompts: string[][] = [];
    const coordinator = agent(
      'coordinator',
      async (request) => {
        prompts.push(userTexts(request));
        if (request.step === 0) return { toolCalls: [spawnCall('fast')] };
        if (request.step === 1) {
          // The child runs to its end while the parent's turn is still going, and a person writes.
          const [taskId] = spawnedIds(request);
          await runtime?.execute(await childRun(runtime, taskId as string));
          await runtime?.deliver({ continuationToken: token, message: 'and hurry' });
          return { text: 'started' };
        }
        if (reports(request).length === 0) return { text: 'hurrying' };
        return { text: `final: ${reports(request).length}` };
      },
      { tools: [spawn] },
    );
    runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    token = started.continuationToken as string;
    const run = await runtime.execute(started.runId);
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'final: 1' } });
    // At the step boundary the user message is drained; the report (background) waits for the
    // turn's answer, and is shown after it.
    expect(prompts.map((texts) => texts.map((text) => text.slice(0, 15)))).toEqual([
      ['go'],
      ['go'],
      ['go', 'and hurry'],
      ['go', 'and hurry', '<task-completed'],
    ]);
    const events = await log(runtime, started.sessionId);
    expect(dataOf(events, 'run.waiting')).toEqual([]);
  });

  it("a worker runs the whole tree: the children's task runs, the parent's wake-ups, its answer", async () => {
    const coordinator = agent(
      'coordinator',
      (request) => {
        if (request.step === 0) return { toolCalls: [spawnCall('one'), spawnCall('two')] };
        const seen = reports(request).length;
        return { text: seen < 2 ? 'waiting' : 'both in' };
      },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    await runtime.startWorker({ concurrency: 2, pollIntervalMs: 20, untilIdle: true }).done;
    const run = await waitFor(
      async () => {
        const current = await runtime.getRun(started.runId);
        return current.status === 'succeeded' && current;
      },
      { timeoutMs: 60_000 },
    );
    expect(run.result).toEqual({ text: 'both in' });
  });

  it('a report that lands between the last inbox read and the park is never lost: the park fails and the run resumes', async () => {
    let runtime: Runtime | undefined;
    let raced = false;
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0
          ? { toolCalls: [spawnCall('racer')] }
          : { text: `reports: ${reports(request).length}` },
      { tools: [spawn] },
    );
    // The child ends exactly after the turn read its inbox for the last time, before it parks.
    const racing = (store: Store): ChildTasks => {
      const inner = storeChildTasks(store);
      return {
        ...inner,
        async list(parentSessionId) {
          const ids = await inner.list(parentSessionId);
          if (!raced && ids.length > 0 && runtime) {
            raced = true;
            await runtime.execute(await childRun(runtime, ids[0] as string));
          }
          return ids;
        },
      };
    };
    runtime = await runtimeWith([coordinator], racing);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    const first = await runtime.execute(started.runId);
    expect(raced).toBe(true);
    // Not parked (the log moved under it): handed back, not waiting, not finished.
    expect(first.status).toBe('running');
    const second = await runtime.execute(started.runId);
    expect(second).toMatchObject({ status: 'succeeded', result: { text: 'reports: 1' } });
    expect(dataOf(await log(runtime, started.sessionId), 'run.waiting')).toEqual([]);
  });

  it('a user message wakes a coordinator waiting on its children', async () => {
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0
          ? { toolCalls: [spawnCall('slow')] }
          : { text: `answering ${request.lastUserText}` },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    const delivered = await runtime.deliver({
      continuationToken: started.continuationToken as string,
      message: 'how is it going?',
    });
    expect(delivered.runId).toBe(started.runId);
    expect((await runtime.getRun(started.runId)).status).toBe('queued');
    // It answers the person, and waits again: the child is still out.
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    const events = await log(runtime, started.sessionId);
    expect(dataOf(events, 'message.completed').at(-1)?.text).toBe('answering how is it going?');
    expect(dataOf(events, 'run.waiting')).toHaveLength(2);
  });

  it('the iteration cap ends a coordinator that never stops waiting with max_iterations', async () => {
    const coordinator = agent(
      'coordinator',
      (request) => (request.step === 0 ? { toolCalls: [spawnCall('never')] } : { text: 'still waiting' }),
      { tools: [spawn], limits: { maxIterations: 2 } },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    const token = started.continuationToken as string;
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    await runtime.deliver({ continuationToken: token, message: 'nudge 1' });
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    await runtime.deliver({ continuationToken: token, message: 'nudge 2' });
    const ended = await runtime.execute(started.runId);
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'max_iterations' } });
  });

  it('send_message reaches a running child, and is unknown_target for an ended, unknown or foreign one', async () => {
    const coordinator = agent(
      'coordinator',
      (request) => {
        const text = request.lastUserText ?? '';
        if (request.lastRole === 'tool') return { text: 'done' };
        if (text.startsWith('send '))
          return {
            toolCalls: [{ name: 'send_message', input: { to: text.slice(5), text: 'more detail please' } }],
          };
        if (text.startsWith('<task-completed')) return { text: 'noted' };
        return { toolCalls: [spawnCall('topic')] };
      },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const first = await runtime.start({ agent: 'coordinator', message: 'go' });
    expect((await runtime.execute(first.runId)).status).toBe('waiting');
    const [taskId] = dataOf(await log(runtime, first.sessionId), 'run.waiting')[0]?.taskIds ?? [];
    const token = first.continuationToken as string;

    /** Sends `message` to the first session and executes the run that reads it. */
    const say = async (message: string) => {
      const { runId } = await runtime.deliver({ continuationToken: token, message });
      return runtime.execute(runId);
    };
    // A running (not yet finished) child gets the message in its own session.
    expect((await say(`send ${taskId}`)).status).toBe('waiting');
    const childRunId = await childRun(runtime, taskId as string);
    const childSession = (await runtime.getRun(childRunId)).sessionId;
    const childTexts = dataOf(await log(runtime, childSession), 'message.received').map((data) => data.text);
    expect(childTexts).toEqual(['topic', 'more detail please']);

    // Another session's coordinator may not write into this one's child.
    const other = await runtime.start({ agent: 'coordinator', message: `send ${taskId}` });
    await runtime.execute(other.runId);
    // Ended: the child ran to its end and reported.
    await runtime.execute(childRunId);
    expect(await runtime.execute(first.runId)).toMatchObject({
      status: 'succeeded',
      result: { text: 'noted' },
    });
    expect((await say(`send ${taskId}`)).status).toBe('succeeded');
    expect((await say('send task_nosuch')).status).toBe('succeeded');

    const results = (sessionEvents: BatonEvent[]) =>
      dataOf(sessionEvents, 'tool.result').filter((data) => data.name === 'send_message');
    expect(results(await log(runtime, first.sessionId)).map((data) => data.error?.code ?? 'ok')).toEqual([
      'ok',
      'unknown_target',
      'unknown_target',
    ]);
    expect(results(await log(runtime, other.sessionId)).map((data) => data.error?.code)).toEqual([
      'unknown_target',
    ]);
    // Nothing more reached the child's session.
    expect(dataOf(await log(runtime, childSession), 'message.received')).toHaveLength(2);
  });

  it('a cancelled child reports cancelled and wakes its parent', async () => {
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0 ? { toolCalls: [spawnCall('doomed')] } : { text: reports(request).join() },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    const [taskId] = dataOf(await log(runtime, started.sessionId), 'run.waiting')[0]?.taskIds ?? [];
    await runtimeTaskService(runtime).cancelTask(taskId as string);
    expect(await runtime.execute(started.runId)).toMatchObject({
      status: 'succeeded',
      result: { text: `<task-completed task_id="${taskId}">cancelled</task-completed>` },
    });
  });

  it('cancelling a coordinator cancels its background children, running or queued, and none reports back', async () => {
    // The slow child is mid-model-call in this process when its parent is cancelled.
    const { slow, entered, release } = heldAgent('late');
    const slowSpawn = slow.asBackgroundTool();
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0
          ? { toolCalls: [spawnCall('queued'), { name: slowSpawn.name, input: { input: 'busy' } }] }
          : { text: `${reports(request).length} reports` },
      { tools: [spawn, slowSpawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    expect(await runtime.execute(started.runId)).toMatchObject({ status: 'waiting', waitingOn: 'children' });
    const taskIds = dataOf(await log(runtime, started.sessionId), 'run.waiting')[0]?.taskIds ?? [];
    expect(taskIds).toHaveLength(2);
    const tasks = await Promise.all(taskIds.map(async (id) => (await runtime.store.getTask(id))!));
    const slowTask = tasks.find((task) => task.profile === 'agent:slow');
    const slowRun = runtime.execute(slowTask?.runId as string);
    await waitFor(entered, { timeoutMs: 30_000 });

    const cancelled = await runtime.cancel(started.runId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.waitingOn).toBeUndefined();
    release();
    expect((await slowRun).status).toBe('cancelled');
    for (const taskId of taskIds) {
      expect((await runtime.store.getTask(taskId))?.status).toBe('cancelled');
      expect((await runtime.getRun(await childRun(runtime, taskId))).status).toBe('cancelled');
    }
    const events = await log(runtime, started.sessionId);
    expect(dataOf(events, 'message.received').filter((data) => data.priority === 'background')).toEqual([]);
    // The cancelled coordinator is not started again by its children's ends.
    expect((await runtime.getSession(started.sessionId)).runs).toHaveLength(1);
  });

  it('executeTree waits for a background child another worker runs, then runs the woken coordinator to its answer', async () => {
    const { slow, entered, release } = heldAgent('done elsewhere');
    const slowSpawn = slow.asBackgroundTool();
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0
          ? { toolCalls: [{ name: slowSpawn.name, input: { input: 'busy' } }] }
          : { text: reports(request).length === 1 ? 'answered' : 'none yet' },
      { tools: [slowSpawn] },
    );
    const runtime = await runtimeWith([coordinator]);
    const elsewhere = createRuntime({ store: runtime.store, agents: [coordinator] });
    try {
      const started = await runtime.start({ agent: 'coordinator', message: 'go' });
      expect((await runtime.execute(started.runId)).status).toBe('waiting');
      const [taskId] = dataOf(await log(runtime, started.sessionId), 'run.waiting')[0]?.taskIds ?? [];
      // Another worker holds the child: the tree cannot run it, and must not give up on it.
      const child = elsewhere.execute(await childRun(runtime, taskId as string));
      await waitFor(entered, { timeoutMs: 30_000 });
      const tree = runtime.executeTree(started.runId);
      await sleep(300);
      release();
      expect((await child).status).toBe('succeeded');
      expect(await tree).toMatchObject({ status: 'succeeded', result: { text: 'answered' } });
    } finally {
      await elsewhere.close();
    }
  });

  it('a parent that crashes mid-spawn resumes onto the child its first attempt started: the child runs once', async () => {
    const shutdown = new AbortController();
    let attempts = 0;
    const crashing = (store: Store): ChildTasks => {
      const inner = storeChildTasks(store);
      return {
        ...inner,
        async spawn(request) {
          const spawned = await inner.spawn(request);
          attempts += 1;
          if (attempts === 1) {
            // The worker goes down after the child's task committed, before the tool's result did.
            shutdown.abort();
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw new Error('worker lost');
          }
          return spawned;
        },
      };
    };
    const coordinator = agent(
      'coordinator',
      (request) =>
        request.step === 0 ? { toolCalls: [spawnCall('once')] } : { text: reports(request).join() },
      { tools: [spawn] },
    );
    const runtime = await runtimeWith([coordinator], crashing);
    const started = await runtime.start({ agent: 'coordinator', message: 'go' });
    const first = await runtime.execute(started.runId, { signal: shutdown.signal, drainGraceMs: 0 });
    expect(first.status).toBe('running');
    expect((await runtime.execute(started.runId)).status).toBe('waiting');
    expect(attempts).toBe(2);
    const tasks = await runtime.store.listTasks({ namespace: `session:${started.sessionId}`, limit: 10 });
    expect(tasks.items).toHaveLength(1);
    const [task] = tasks.items;
    await runtime.execute(task?.runId as string);
    expect(await runtime.execute(started.runId)).toMatchObject({
      status: 'succeeded',
      result: { text: `<task-completed task_id="${task?.id}">found once</task-completed>` },
    });
  });

  it('a spawn repeated for the same tool call (a resumed run) starts no second child', async () => {
    const runtime = await runtimeWith([researcher]);
    const children = storeChildTasks(runtime.store);
    const request = { parentSessionId: 'ses_parent', toolCallId: 'call_1', agent: 'researcher', input: 'x' };
    const first = await children.spawn(request);
    const again = await children.spawn(request);
    expect(again).toEqual(first);
    expect(await children.list('ses_parent')).toEqual([first.taskId]);
  });
});

describe('examples/research-team.ts', () => {
  it('a coordinator with two background researchers combines both reports', async () => {
    const { runResearchTeam } = await import('../examples/research-team.js');
    const { answer, events } = await runResearchTeam();
    expect(answer).toMatch(/^Combined: <task-completed task_id="[^"]+">notes on (tides|the moon)</);
    expect(answer).toContain('notes on tides');
    expect(answer).toContain('notes on the moon');
    checkLog(events);
  });
});
