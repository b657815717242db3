// `npx tsx bench/durable.ts`: the durable 200-step tool loop on SQLite (synchronous NORMAL and
// FULL) vs in memory, the raw commit floor, LangGraph.js with its SQLite checkpointer on the
// same loop, and runs/s through `baton worker --concurrency 8`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { z } from 'zod';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { tool } from '../src/core/tool.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import type { SqliteSynchronous } from '../src/store/sqlite/index.js';
import { SqliteStore, sqliteCommitFloor } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';

const STEPS = 200;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WORKER_RUNS = Number(process.env.BENCH_WORKER_RUNS ?? 1000);
/** Commits one tool step makes: step.started, message.completed, tool.started, tool.result, step.completed. */
const COMMITS_PER_STEP = 5;
const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-durable-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** An agent that calls `add` for 200 steps, then answers. */
function loopAgent() {
  const add = tool({
    name: 'add',
    description: 'Adds one',
    inputSchema: z.object({ value: z.number() }),
    execute: ({ value }) => ({ value: value + 1 }),
  });
  return defineAgent({
    name: 'loop',
    instructions: 'Add until done.',
    model: scriptedModel(({ step }) =>
      step < STEPS
        ? { toolCalls: [{ name: 'add', input: { value: step } }] }
        : { text: `done after ${step} steps` },
    ),
    tools: [add],
  });
}

/** ms per step of one 200-step run through the runtime on `store`. */
async function batonLoop(store: Store): Promise<number> {
  const runtime = createRuntime({ store, agents: [loopAgent()] });
  const { runId } = await runtime.start({ agent: 'loop', message: 'go' });
  const started = performance.now();
  const run = await runtime.execute(runId);
  const elapsed = performance.now() - started;
  if (run.status !== 'succeeded') throw new Error(`bench run ${run.status}: ${JSON.stringify(run.error)}`);
  return elapsed / STEPS;
}

async function batonSqlite(synchronous: SqliteSynchronous): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < REPEATS; index += 1) {
    const store = new SqliteStore(join(scratch, `baton-${synchronous}-${index}.db`), { synchronous });
    samples.push(await batonLoop(store));
    await store.close();
  }
  return median(samples);
}

async function batonMemory(): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < REPEATS; index += 1) samples.push(await batonLoop(new MemoryStore()));
  return median(samples);
}

/** The same loop as a LangGraph StateGraph (agent node → tools node) checkpointed to SQLite. */
async function langGraphLoop(synchronous: SqliteSynchronous, index: number): Promise<number> {
  const State = Annotation.Root({
    messages: Annotation<BaseMessage[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
    step: Annotation<number>({ reducer: (_left, right) => right, default: () => 0 }),
  });
  const graph = new StateGraph(State)
    .addNode('agent', (state) => {
      const done = state.step >= STEPS;
      const message = done
        ? new AIMessage({ content: `done after ${state.step} steps` })
        : new AIMessage({
            content: '',
            tool_calls: [{ id: `call_${state.step}`, name: 'add', args: { value: state.step } }],
          });
      return { messages: [message], step: state.step + (done ? 0 : 1) };
    })
    .addNode('tools', (state) => {
      const last = state.messages.at(-1) as AIMessage;
      const results = (last.tool_calls ?? []).map(
        (call) =>
          new ToolMessage({
            tool_call_id: call.id ?? '',
            content: JSON.stringify({ value: (call.args as { value: number }).value + 1 }),
          }),
      );
      return { messages: results };
    })
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) =>
      ((state.messages.at(-1) as AIMessage).tool_calls ?? []).length > 0 ? 'tools' : END,
    )
    .addEdge('tools', 'agent');
  const checkpointer = SqliteSaver.fromConnString(join(scratch, `langgraph-${synchronous}-${index}.db`));
  checkpointer.db.pragma(`synchronous = ${synchronous}`);
  const app = graph.compile({ checkpointer });
  const started = performance.now();
  await app.invoke(
    { messages: [new HumanMessage('go')] },
    { configurable: { thread_id: `bench-${index}` }, durability: 'sync', recursionLimit: STEPS * 2 + 10 },
  );
  const elapsed = performance.now() - started;
  checkpointer.db.close();
  return elapsed / STEPS;
}

async function langGraph(synchronous: SqliteSynchronous): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < REPEATS; index += 1) samples.push(await langGraphLoop(synchronous, index));
  return median(samples);
}

/** Enqueues short runs, then times one `baton worker --concurrency 8 --until-idle` process. */
async function workerThroughput(): Promise<{ wallRunsPerSecond: number; busyRunsPerSecond: number }> {
  const db = join(scratch, 'worker.db');
  const agentFile = resolve('bench', '_short-agent.ts');
  const { default: shortAgent } = await import('./_short-agent.js');
  const store = new SqliteStore(db);
  const runtime = createRuntime({ store, agents: [shortAgent] });
  for (let index = 0; index < WORKER_RUNS; index += 1) {
    await runtime.start({ agent: 'short', message: `run ${index}`, agentModule: agentFile });
  }
  await store.close();
  const started = performance.now();
  await new Promise<void>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('src', 'cli', 'main.ts'),
        'worker',
        '--db',
        db,
        '--concurrency',
        '8',
        '--until-idle',
        '--poll-interval',
        '20',
      ],
      { stdio: 'ignore', env: { ...process.env } },
    );
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`worker exited ${code}`))));
  });
  const wall = (performance.now() - started) / 1000;
  // The busy window — first run started to last run finished — leaves out process start-up.
  const check = new SqliteStore(db);
  const runs = [];
  let cursor: string | undefined;
  do {
    const page = await check.listRuns({ limit: 500, ...(cursor !== undefined && { cursor }) });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  await check.close();
  const succeeded = runs.filter((run) => run.status === 'succeeded');
  if (succeeded.length !== WORKER_RUNS)
    throw new Error(`only ${succeeded.length}/${WORKER_RUNS} runs succeeded`);
  const first = Math.min(...succeeded.map((run) => Date.parse(run.startedAt ?? '')));
  const last = Math.max(...succeeded.map((run) => Date.parse(run.finishedAt ?? '')));
  return { wallRunsPerSecond: WORKER_RUNS / wall, busyRunsPerSecond: WORKER_RUNS / ((last - first) / 1000) };
}

function row(label: string, value: string, note = ''): string {
  return `${label.padEnd(52)} ${value.padStart(12)}  ${note}`;
}

try {
  const floorNormal = sqliteCommitFloor({ synchronous: 'NORMAL' });
  const floorFull = sqliteCommitFloor({ synchronous: 'FULL' });
  const memory = await batonMemory();
  const normal = await batonSqlite('NORMAL');
  const full = await batonSqlite('FULL');
  const graphNormal = await langGraph('NORMAL');
  const graphFull = await langGraph('FULL');
  const throughput = await workerThroughput();
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  console.log(`${STEPS}-step tool loop, median of ${REPEATS} runs; ms per step\n`);
  console.log(row('Baton, MemoryStore', ms(memory)));
  console.log(
    row(
      'Baton, SQLite synchronous=NORMAL (crash-safe)',
      ms(normal),
      `${(normal / memory).toFixed(1)}× memory`,
    ),
  );
  console.log(
    row(
      'Baton, SQLite synchronous=FULL (power-loss-safe)',
      ms(full),
      `${(full / memory).toFixed(1)}× memory`,
    ),
  );
  console.log(
    row(
      'commit floor NORMAL (1 empty txn)',
      ms(floorNormal),
      `× ${COMMITS_PER_STEP} commits/step = ${ms(floorNormal * COMMITS_PER_STEP)}`,
    ),
  );
  console.log(
    row(
      'commit floor FULL (1 empty txn)',
      ms(floorFull),
      `× ${COMMITS_PER_STEP} commits/step = ${ms(floorFull * COMMITS_PER_STEP)}`,
    ),
  );
  console.log(
    row(
      'LangGraph.js, SqliteSaver NORMAL, durability sync',
      ms(graphNormal),
      `${(graphNormal / normal).toFixed(1)}× Baton NORMAL`,
    ),
  );
  console.log(
    row(
      'LangGraph.js, SqliteSaver FULL, durability sync',
      ms(graphFull),
      `${(graphFull / full).toFixed(1)}× Baton FULL`,
    ),
  );
  console.log(
    row(
      `baton worker --concurrency 8, ${WORKER_RUNS} short runs`,
      `${throughput.busyRunsPerSecond.toFixed(0)} runs/s`,
      `(${throughput.wallRunsPerSecond.toFixed(0)} runs/s including process start-up)`,
    ),
  );
  console.log(
    `\nBaton durable step / commit floor: NORMAL ${(normal / (floorNormal * COMMITS_PER_STEP)).toFixed(1)}×, FULL ${(full / (floorFull * COMMITS_PER_STEP)).toFixed(1)}×`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
