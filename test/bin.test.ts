import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import type { CliResult } from './helpers/cli.js';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'baton-bin-'));
  directories.push(directory);
  return directory;
}

/** Runs `node bin/baton.js <args>` (the package binary, built or not) in `cwd`. */
function runBin(args: string[], cwd: string): Promise<CliResult> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'baton.js'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectProcess(child);
}

function parseNdjson(stdout: string): BatonEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as BatonEvent);
}

// An agent file of its own, outside the repository, as a user would write one. A `.ts` file in a
// directory without a package.json is CommonJS to tsx; `.mts` is an ES module anywhere.
function writeAgent(directory: string, script: string, extension: 'ts' | 'mts' = 'ts'): string {
  const index = pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href;
  const zod = pathToFileURL(join(REPO_ROOT, 'node_modules', 'zod', 'index.js')).href;
  const file = join(directory, `agent.${extension}`);
  writeFileSync(
    file,
    `import { z } from '${zod}';
import { defineAgent, scriptedModel, tool } from '${index}';

const square = tool({
  name: 'square',
  description: 'Squares a number',
  inputSchema: z.object({ n: z.number() }),
  execute: ({ n }) => ({ n, squared: n * n }),
});
const broken = tool({
  name: 'broken',
  description: 'Always fails',
  inputSchema: z.object({}),
  execute: () => { throw new Error('out of order'); },
});

export default defineAgent({
  name: 'squarer',
  instructions: 'Square numbers.',
  tools: [square, broken],
  model: scriptedModel(${script}),
});
`,
  );
  return file;
}

const STEP = ['step.started', 'message.completed', 'tool.started', 'tool.result', 'step.completed'];

describe('bin/baton.js', () => {
  it('runs the README example agent (TypeScript) through the package binary, built or not', async () => {
    const directory = tempDirectory();
    const result = await runBin(
      ['run', 'examples/hello.ts', 'Weather?', '--json', '--db', join(directory, 'x.db')],
      REPO_ROOT,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(verifyChain(events).ok).toBe(true);
  }, 90_000);

  it('runs an agent file from another directory: three tool calls and a failing one, then an answer, NDJSON only', async () => {
    const directory = tempDirectory();
    writeAgent(
      directory,
      `[
        { toolCalls: [{ name: 'square', input: { n: 2 } }] },
        { toolCalls: [{ name: 'square', input: { n: 3 } }] },
        { toolCalls: [{ name: 'square', input: { n: 4 } }] },
        { toolCalls: [{ name: 'broken', input: {} }] },
        { text: 'Squared 2, 3 and 4.' },
      ]`,
    );
    const result = await runBin(['run', 'agent.ts', 'square', 'these', '--json'], directory);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index));
    expect(verifyChain(events).ok).toBe(true);
    expect(events.map((event) => event.type)).toEqual([
      'session.started',
      'message.received',
      'run.started',
      ...STEP,
      ...STEP,
      ...STEP,
      ...STEP,
      'step.started',
      'message.completed',
      'step.completed',
      'run.completed',
    ]);
    const results = events.flatMap((event) => (event.type === 'tool.result' ? [event.data] : []));
    expect(results.filter((data) => data.ok).map((data) => data.output)).toEqual([
      { n: 2, squared: 4 },
      { n: 3, squared: 9 },
      { n: 4, squared: 16 },
    ]);
    expect(results.find((data) => !data.ok)).toMatchObject({
      name: 'broken',
      output: null,
      error: { code: 'tool_error', message: 'out of order' },
    });
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', text: 'Squared 2, 3 and 4.' });
  }, 90_000);

  it('fails the run with exit 1, a run.failed event and one stderr line when the model runs past its script', async () => {
    const directory = tempDirectory();
    writeAgent(directory, `[{ toolCalls: [{ name: 'square', input: { n: 5 } }] }]`, 'mts');
    const result = await runBin(['run', 'agent.mts', 'go', '--json'], directory);
    expect(result.code).toBe(1);
    const events = parseNdjson(result.stdout);
    expect(verifyChain(events).ok).toBe(true);
    expect(events.at(-1)).toMatchObject({
      type: 'run.failed',
      data: { error: { code: 'script_exhausted' } },
    });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);
});
