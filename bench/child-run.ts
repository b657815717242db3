// `npm run bench child-run`: what an agent used as a tool costs (issue 15). A coordinator asks
// one helper either as an in-process tool (a plain `tool()` that returns the answer) or as an
// agent tool (`helper.asTool()`: a child run in a child session, the parent parked on it and
// re-queued when it ends). Each run is started and executed to its end in this process
// (`runtime.executeTree`) on SQLite; the overhead is the difference of the medians over
// BENCH_CHILD_RUNS (default 100) runs. Also: the events one child adds (its own session's log plus
// what its parent commits for it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Agent, Runtime } from '../src/index.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { report } from './_report.js';
import { median } from './_stats.js';
import { loadAverage, ms, printTable } from './_table.js';

const RUNS = Number(process.env.BENCH_CHILD_RUNS ?? 100);

const helper = defineAgent({
  name: 'helper',
  description: 'Answers one question',
  instructions: 'Answer.',
  model: scriptedModel(() => ({ text: 'forty-two' })),
});

const plainTool = tool({
  name: 'helper',
  description: 'Answers one question',
  inputSchema: z.object({ input: z.string() }),
  execute: () => 'forty-two',
});

function coordinator(name: string, asks: Agent['tools'][number]): Agent {
  return defineAgent({
    name,
    instructions: 'Ask the helper.',
    model: scriptedModel((request) =>
      request.lastRole === 'tool'
        ? { text: 'the helper says forty-two' }
        : { toolCalls: [{ name: 'helper', input: { input: 'the question' } }] },
    ),
    tools: [asks],
  });
}

/** Per run: its wall time in ms, and the events its session tree committed. */
async function measure(runtime: Runtime, agent: string): Promise<{ ms: number[]; events: number }> {
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const startedAt = performance.now();
    const { runId, sessionId } = await runtime.start({ agent, message: 'go' });
    const run = await runtime.executeTree(runId);
    times.push(performance.now() - startedAt);
    if (run.status !== 'succeeded') throw new Error(`run ${runId} ended ${run.status}`);
    if (i === 0) {
      const log = await runtime.store.readEvents(sessionId);
      events = log.length;
      for (const event of log) {
        if (event.type === 'subagent.started')
          events += (await runtime.store.readEvents(event.data.childSessionId)).length;
      }
    }
  }
  return { ms: times, events };
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-child-'));
try {
  const runtime = createRuntime({
    store: new SqliteStore(join(dir, 'baton.db')),
    agents: [coordinator('direct', plainTool), coordinator('delegating', helper.asTool())],
  });
  // Warm-up: module loading and the first statements are not what a child costs.
  await measure(runtime, 'direct');
  const direct = await measure(runtime, 'direct');
  const child = await measure(runtime, 'delegating');
  await runtime.close();
  await runtime.store.close();
  const overhead = median(child.ms) - median(direct.ms);
  console.log(`\nchild run vs in-process tool call, SQLite, ${RUNS} runs each (load ${loadAverage()})`);
  printTable(
    ['', 'median per run', 'events per run'],
    [
      ['in-process tool', ms(median(direct.ms)), String(direct.events)],
      ['agent as tool (child run)', ms(median(child.ms)), String(child.events)],
      ['overhead of a child', ms(overhead), String(child.events - direct.events)],
    ],
  );
  report('child_run_overhead_ms', overhead);
  report('child_run_events', child.events - direct.events);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
