// A 200-step tool loop: Baton's runTurn on the scripted model with an in-memory journal, beside the
// Vercel AI SDK's own generateText with the same tool on its mock model, each in a child process
// of its own. Run: `npx tsx bench/loop.ts`.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { tool as aiTool, generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { defineAgent, scriptedModel, tool } from '../src/index.js';
import { MemoryJournal } from '../src/loop/memory-journal.js';
import { runTurn } from '../src/loop/run-turn.js';

const STEPS = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WINDOW = 20;

interface RunStats {
  totalMs: number;
  stepMs: number[];
  peakRssBytes: number;
}

interface Summary {
  name: string;
  medianMsPerStep: number;
  first20: number;
  last20: number;
  peakRssMb: number;
}

const inputSchema = z.object({ i: z.number() });
const execute = ({ i }: { i: number }) => ({ i, ok: true });

/** Step index = assistant messages so far; tool calls until the last step, which answers. */
function stepIndex(prompt: LanguageModelV3CallOptions['prompt']): number {
  let count = 0;
  for (const message of prompt) if (message.role === 'assistant') count += 1;
  return count;
}

/** Per-step durations from the timestamps at which each step finished. */
function recorder() {
  const stepMs: number[] = [];
  let peakRssBytes = 0;
  let last = performance.now();
  const start = last;
  return {
    mark(): void {
      const now = performance.now();
      stepMs.push(now - last);
      last = now;
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    },
    done: (): RunStats => ({ totalMs: performance.now() - start, stepMs, peakRssBytes }),
  };
}

async function batonRun(): Promise<RunStats> {
  const agent = defineAgent({
    name: 'bench',
    instructions: 'Call step until told to stop.',
    tools: [tool({ name: 'step', description: 'one step', inputSchema, execute })],
    limits: { maxSteps: STEPS },
    model: scriptedModel((request) =>
      request.step < STEPS - 1
        ? { toolCalls: [{ name: 'step', input: { i: request.step } }] }
        : { text: 'done' },
    ),
  });
  const journal = new MemoryJournal();
  journal.record({ type: 'message.received', data: { role: 'user', text: 'go' } });
  const clock = recorder();
  journal.subscribe((event) => {
    if (event.type === 'step.completed') clock.mark();
  });
  const outcome = await runTurn({ agent, journal });
  if (outcome.status !== 'succeeded' || outcome.steps !== STEPS)
    throw new Error(`baton run ended ${outcome.status}`);
  return clock.done();
}

async function aiSdkRun(): Promise<RunStats> {
  const model = new MockLanguageModelV3({
    doGenerate: async (options): Promise<LanguageModelV3GenerateResult> => {
      const index = stepIndex(options.prompt);
      const last = index >= STEPS - 1;
      return {
        content: last
          ? [{ type: 'text', text: 'done' }]
          : [
              {
                type: 'tool-call',
                toolCallId: `call_${index}_0`,
                toolName: 'step',
                input: JSON.stringify({ i: index }),
              },
            ],
        finishReason: { unified: last ? 'stop' : 'tool-calls', raw: undefined },
        usage: {
          inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 0, text: 0, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
  const clock = recorder();
  const result = await generateText({
    model,
    system: 'Call step until told to stop.',
    prompt: 'go',
    tools: { step: aiTool({ description: 'one step', inputSchema, execute }) },
    stopWhen: stepCountIs(STEPS),
    onStepFinish: () => clock.mark(),
  });
  if (result.steps.length !== STEPS) throw new Error(`AI SDK run took ${result.steps.length} steps`);
  return clock.done();
}

const mean = (values: number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function measure(name: string, run: () => Promise<RunStats>): Promise<Summary> {
  await run(); // Warm-up: JIT and module initialisation are not what is measured.
  const runs: RunStats[] = [];
  for (let index = 0; index < RUNS; index += 1) runs.push(await run());
  return {
    name,
    medianMsPerStep: median(runs.map((stats) => stats.totalMs / STEPS)),
    first20: median(runs.map((stats) => mean(stats.stepMs.slice(0, WINDOW)))),
    last20: median(runs.map((stats) => mean(stats.stepMs.slice(-WINDOW)))),
    peakRssMb: Math.max(...runs.map((stats) => stats.peakRssBytes)) / 1024 / 1024,
  };
}

function printTable(rows: Summary[]): void {
  const header = [
    '',
    'ms/step (median)',
    `first ${WINDOW} mean`,
    `last ${WINDOW} mean`,
    'last/first',
    'peak RSS MB',
  ];
  const lines = rows.map((row) => [
    row.name,
    row.medianMsPerStep.toFixed(3),
    row.first20.toFixed(3),
    row.last20.toFixed(3),
    `${(row.last20 / row.first20).toFixed(2)}x`,
    row.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

/** Measures one implementation in a child process of its own, so that peak RSS is its own. */
function measureInChild(which: keyof typeof IMPLEMENTATIONS): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), which], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as Summary);
      else reject(new Error(`bench/loop.ts ${which} exited with ${code}`));
    });
  });
}

const IMPLEMENTATIONS = {
  baton: () => measure('Baton runTurn + MemoryJournal', batonRun),
  'ai-sdk': () => measure('AI SDK generateText + mock', aiSdkRun),
};

const only = process.argv[2];
if (only === 'baton' || only === 'ai-sdk') {
  process.stdout.write(JSON.stringify(await IMPLEMENTATIONS[only]()));
} else {
  console.log(
    `loop: a ${STEPS}-step tool loop, ${RUNS} runs each after a warm-up (Node ${process.version})\n`,
  );
  const baton = await measureInChild('baton');
  const aiSdk = await measureInChild('ai-sdk');
  printTable([baton, aiSdk]);
  const ratio = baton.medianMsPerStep / aiSdk.medianMsPerStep;
  console.log(
    `\nBaton: ${baton.medianMsPerStep.toFixed(3)} ms/step; AI SDK generateText: ${aiSdk.medianMsPerStep.toFixed(3)} ms/step; ` +
      `ratio Baton/AI SDK = ${ratio.toFixed(2)}x. Baton journals and hash-chains every step ` +
      `(${STEPS * 5} events per run); per-step cost last/first ${WINDOW}: Baton ${(baton.last20 / baton.first20).toFixed(2)}x, ` +
      `AI SDK ${(aiSdk.last20 / aiSdk.first20).toFixed(2)}x. Each measured in its own process (peak RSS is its own).`,
  );
}
