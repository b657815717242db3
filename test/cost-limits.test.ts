import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { runTurn } from '../src/loop/run-turn.js';
import type { ScriptedRequest, ScriptedStep } from '../src/model/scripted-model.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { countingModel, startedJournal, weatherAgent, weatherTool } from './loop-fixtures.js';

/** Input tokens of the three tool-calling steps: at $1 per million, $0.0035 + $0.0005 + $0.0065. */
const STEP_TOKENS = [3_500, 500, 6_500];

/** Per message: three tool-calling steps costing {@link STEP_TOKENS}, then an answer. */
function threeSteps(request: ScriptedRequest): ScriptedStep {
  const lastUser = request.prompt.findLastIndex((message) => message.role === 'user');
  const toolResults = request.prompt.slice(lastUser).filter((message) => message.role === 'tool').length;
  const inputTokens = STEP_TOKENS[toolResults];
  return inputTokens === undefined
    ? { text: 'done', usage: { inputTokens: 0, outputTokens: 0 } }
    : {
        toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }],
        usage: { inputTokens, outputTokens: 0 },
      };
}

const DOLLAR_PER_MILLION = { inputPerMillionUsd: 1, outputPerMillionUsd: 1 };

describe('cost limits on models without a known price', () => {
  it('refuses the run at its start with pricing_unknown, naming the model, before any model call', async () => {
    const { model, counter } = countingModel([{ text: 'free?' }], { modelId: 'llama3.2' });
    const outcome = await runTurn({
      agent: weatherAgent({ model, limits: { maxCostUsd: 0.01 } }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'pricing_unknown' }, steps: 0 });
    expect(outcome.status === 'failed' && outcome.error.message).toContain('scripted:llama3.2');
    expect(counter.calls).toBe(0);
  });

  it('runs a plain scripted model under a cost limit: it costs what its script reports', async () => {
    const outcome = await runTurn({
      agent: weatherAgent({ model: scriptedModel([{ text: 'free' }]), limits: { maxCostUsd: 0.01 } }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'succeeded', text: 'free' });
  });

  it('names an OpenAI-compatible model spec it cannot price', async () => {
    const spec = 'openai-compatible:llama3.2@http://127.0.0.1:9/v1';
    const outcome = await runTurn({
      agent: weatherAgent({ model: spec, limits: { maxCostUsd: 0.01 } }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'pricing_unknown' } });
    expect(outcome.status === 'failed' && outcome.error.message).toContain(spec);
  });

  it('prices the model from the agent and enforces the limit', async () => {
    const outcome = await runTurn({
      agent: weatherAgent({
        model: scriptedModel(threeSteps, { modelId: 'llama3.2' }),
        tools: [weatherTool().tool],
        limits: { maxCostUsd: 0.005 },
        pricing: DOLLAR_PER_MILLION,
      }),
      journal: startedJournal(),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'max_cost' }, steps: 3 });
    expect(outcome.usage.costUsd).toBe(0.0105);
  });

  it('prices the model from an extra price table, matched by model-id prefix', async () => {
    const outcome = await runTurn({
      agent: weatherAgent({
        model: scriptedModel(threeSteps, { modelId: 'llama3.2:8b' }),
        tools: [weatherTool().tool],
        limits: { maxCostUsd: 1 },
      }),
      journal: startedJournal(),
      prices: { 'llama3.2': DOLLAR_PER_MILLION },
    });
    expect(outcome).toMatchObject({ status: 'succeeded', usage: { costUsd: 0.0105 } });
  });

  it('sums costs in integer micro-dollars: $0.0035 + $0.0005 + $0.0065 is $0.0105', async () => {
    expect(0.0035 + 0.0005 + 0.0065).toBe(0.010499999999999999);
    const agent = weatherAgent({
      model: scriptedModel(threeSteps, { modelId: 'priced' }),
      tools: [weatherTool().tool],
      pricing: DOLLAR_PER_MILLION,
    });
    expect((await runTurn({ agent, journal: startedJournal() })).usage.costUsd).toBe(0.0105);

    // And summed over a session's runs, as the API shows it.
    const runtime = createRuntime({ store: new MemoryStore(), agents: [agent] });
    try {
      const first = await runtime.start({ agent: 'weather', message: 'one' });
      await runtime.execute(first.runId);
      const second = await runtime.deliver({
        continuationToken: first.continuationToken as string,
        message: 'two',
      });
      await runtime.execute(second.runId);
      const session = await runtime.getSession(first.sessionId);
      expect(session.runs.map((run) => run.usage.costUsd)).toEqual([0.0105, 0.0105]);
      expect(session.usage.costUsd).toBe(0.021);
    } finally {
      await runtime.close();
    }
  });
});

describe('BATON_PRICES in the CLI', () => {
  let dir: string;
  let agentFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-prices-'));
    agentFile = join(dir, 'capped.ts');
    writeFileSync(
      agentFile,
      `import { defineAgent, scriptedModel } from '${join(REPO_ROOT, 'src', 'index.js')}';
export default defineAgent({
  name: 'capped',
  instructions: 'x',
  model: scriptedModel([{ text: 'hi', usage: { inputTokens: 3500, outputTokens: 0 } }], { modelId: 'llama3.2' }),
  limits: { maxCostUsd: 0.5 },
});
`,
    );
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ 'llama3.2': { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }),
    );
    writeFileSync(join(dir, 'bad-prices.json'), JSON.stringify({ 'llama3.2': { input: 1 } }));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>, db: string) =>
    runCli(['run', agentFile, 'hello', '--json', '--db', join(dir, db)], { env });

  it('refuses a capped run on an unpriced model with exit 1 and pricing_unknown', async () => {
    const result = await run({ BATON_PRICES: '' }, 'unpriced.db');
    expect(result.code).toBe(1);
    const failed = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((event) => event.type === 'run.failed');
    expect(failed?.data.error).toMatchObject({
      code: 'pricing_unknown',
      message: expect.stringContaining('llama3.2'),
    });
  });

  it('prices the model from the BATON_PRICES file', async () => {
    const result = await run({ BATON_PRICES: join(dir, 'prices.json') }, 'priced.db');
    expect(result.code, result.stderr).toBe(0);
    const completed = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((event) => event.type === 'run.completed');
    expect(completed?.data.usage).toEqual({ inputTokens: 3500, outputTokens: 0, costUsd: 0.0035 });
  });

  it('refuses a malformed or missing BATON_PRICES file as a usage error naming it', async () => {
    for (const file of ['bad-prices.json', 'missing.json']) {
      const result = await run({ BATON_PRICES: join(dir, file) }, 'bad.db');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('BATON_PRICES');
      expect(result.stderr).toContain(file);
    }
  });
});
