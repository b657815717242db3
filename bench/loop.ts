// `npm run bench loop`: the agent loop in memory, side by side. Baton's runtime on its memory
// store, the AI SDK 6, the OpenAI Agents SDK, Mastra and LangGraph (MemorySaver) each run the
// same tool loop against an instant fake model, each in a child process of its own: 200 steps
// (BENCH_RUNS runs, default 5) and one run of BENCH_LONG_STEPS (default 1,000) steps.
import { measureLoops, printLoopTable, reportLoops } from './_loop-measure.js';
import { loadAverage } from './_table.js';
import type { SystemId } from './systems/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LONG_STEPS = Number(process.env.BENCH_LONG_STEPS ?? 1_000);
const IN_MEMORY: SystemId[] = ['baton-memory', 'ai-sdk', 'openai-agents', 'mastra', 'langgraph-memory'];

console.log(
  `loop: the same tool loop in memory, each system in its own process (Node ${process.version}, ${loadAverage()})`,
);
console.log(
  'ms/step: a run start to finish / steps (median of runs); p50/p99: over every step of every run.\n',
);
console.log(`200 steps, ${RUNS} runs each after a warm-up run`);
const short = await measureLoops(IN_MEMORY, 200, RUNS);
printLoopTable(short, 'baton-memory');
reportLoops('loop', short);
console.log(`\n${LONG_STEPS.toLocaleString('en')} steps, one run each after a warm-up run`);
const long = await measureLoops(IN_MEMORY, LONG_STEPS, 1);
printLoopTable(long, 'baton-memory');
reportLoops('loop-long', long);
console.log(`\n${loadAverage()}`);
