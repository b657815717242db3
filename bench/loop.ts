// `npm run bench loop`: the agent loop side by side, the peers in memory. Baton's runtime on its
// memory store, the AI SDK 6, the OpenAI Agents SDK, Mastra and LangGraph (MemorySaver) each run
// the same tool loop against an instant fake model, each in a child process of its own, at 200
// and at BENCH_LONG_STEPS (default 1,000) steps; BENCH_SECONDS (default 2) sets how long fast
// systems keep repeating runs. Baton on SQLite (NORMAL) runs beside them, just before the AI SDK:
// the target "a durable step ≥ 5× faster than the AI SDK in memory" compares two runs made in
// the same minutes (between this piece and bench/durable.ts the machine's speed can move by half).
import { compareLoops } from './_loop-measure.js';
import { loadAverage } from './_table.js';
import type { SystemId } from './systems/index.js';

const SYSTEMS: SystemId[] = [
  'baton-memory',
  'baton-sqlite-normal',
  'ai-sdk',
  'openai-agents',
  'mastra',
  'langgraph-memory',
];

console.log(
  `loop: the same tool loop, the peers in memory and Baton also on SQLite, each system in its own process (Node ${process.version}, ${loadAverage()})`,
);
await compareLoops('loop', SYSTEMS, 'baton-memory');
console.log(`\n${loadAverage()}`);
