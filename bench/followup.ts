// `npm run bench followup`: what a one-step follow-up run costs on a long session. Sessions
// with 10, 1,000 and 3,000 prior steps (about 15,000 events at 3,000) are built on SQLite; then a
// follow-up (`deliver` + `execute`, the model answering at once) is timed BENCH_FOLLOW_UPS
// times (default 5) on each, beside a one-step run on a new session.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import {
  createRuntime,
  defineAgent,
  openStore,
  type Runtime,
  type ScriptedRequest,
  scriptedModel,
  tool,
} from '../src/index.js';
import { report } from './_report.js';
import { median } from './_stats.js';
import { loadAverage, ms, printTable, times } from './_table.js';

const FOLLOW_UPS = Number(process.env.BENCH_FOLLOW_UPS ?? 5);
const PRIOR_STEPS = [10, 1_000, 3_000];

/** Model calls since the latest user message: the step within the current run. */
function stepsSinceUser(request: ScriptedRequest): number {
  let count = 0;
  for (let index = request.prompt.length - 1; index >= 0; index -= 1) {
    const role = request.prompt[index]?.role;
    if (role === 'user') break;
    if (role === 'assistant') count += 1;
  }
  return count;
}

/** "build N" makes N steps (N - 1 tool calls, then an answer); anything else is answered at once. */
const agent = defineAgent({
  name: 'session',
  instructions: 'Build when asked, answer otherwise.',
  limits: { maxSteps: Math.max(...PRIOR_STEPS) + 1 },
  tools: [
    tool({
      name: 'step',
      description: 'one step',
      inputSchema: z.object({ i: z.number() }),
      idempotent: true,
      execute: ({ i }) => ({ i, ok: true }),
    }),
  ],
  model: scriptedModel((request) => {
    const steps = Number(/^build (\d+)$/.exec(request.lastUserText ?? '')?.[1] ?? 1);
    const step = stepsSinceUser(request);
    return step < steps - 1 ? { toolCalls: [{ name: 'step', input: { i: step } }] } : { text: 'ok' };
  }),
});

async function executed(runtime: Runtime, runId: string): Promise<void> {
  const run = await runtime.execute(runId);
  if (run.status !== 'succeeded') throw new Error(`run ${run.status}`);
}

/** Milliseconds of a one-step run on a new session: start + execute. */
async function newSession(runtime: Runtime): Promise<number> {
  const started = performance.now();
  const { runId } = await runtime.start({ agent: 'session', message: 'hello' });
  await executed(runtime, runId);
  return performance.now() - started;
}

/** Builds a session of `steps` steps; then times one-step follow-ups on it (deliver + execute). */
async function followUps(runtime: Runtime, steps: number): Promise<{ ms: number[]; events: number }> {
  const { sessionId, runId, continuationToken } = await runtime.start({
    agent: 'session',
    message: `build ${steps}`,
  });
  await executed(runtime, runId);
  let token = continuationToken ?? '';
  const events = (await runtime.store.head(sessionId))?.seq ?? 0;
  const samples: number[] = [];
  for (let index = 0; index < FOLLOW_UPS; index += 1) {
    const started = performance.now();
    const delivered = await runtime.deliver({ continuationToken: token, message: 'follow-up' });
    await executed(runtime, delivered.runId);
    samples.push(performance.now() - started);
    token = delivered.continuationToken;
  }
  return { ms: samples, events };
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-followup-'));
const store = await openStore(join(dir, 'baton.db'));
const runtime = createRuntime({ store, agents: [agent] });
try {
  console.log(`followup: one-step follow-up runs on long sessions, SQLite NORMAL (${loadAverage()})\n`);
  for (let index = 0; index < 20; index += 1) await newSession(runtime); // Warm-up.
  const freshSamples: number[] = [];
  for (let index = 0; index < FOLLOW_UPS * 2; index += 1) freshSamples.push(await newSession(runtime));
  const fresh = median(freshSamples);
  report('followup.newSession', fresh);
  const rows: string[][] = [['new session (start + execute)', '–', ms(fresh), '']];
  for (const steps of PRIOR_STEPS) {
    const measured = await followUps(runtime, steps);
    const cost = median(measured.ms);
    report(`followup.steps${steps}`, cost);
    report(`followup.steps${steps}.events`, measured.events);
    rows.push([
      `follow-up after ${steps.toLocaleString('en')} steps`,
      measured.events.toLocaleString('en'),
      ms(cost),
      times(cost / fresh),
    ]);
  }
  printTable(['', 'events before', 'ms (median)', 'vs new session'], rows);
  console.log(`\n${loadAverage()}`);
} finally {
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
