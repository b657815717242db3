import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/wait-for.js';
import { cliCommand, collectProcess, REPO_ROOT, runCli } from './helpers/cli.js';

/**
 * Calls `get_weather` (needs approval; appends its call id to WEATHER_LOG when it runs); asked
 * to "ask", it then asks which unit, and answers with the weather and the answer.
 */
const weatherAgent = `
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { askQuestion, defineAgent, scriptedModel, tool } from '${join(REPO_ROOT, 'src', 'index.js')}';

const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  needsApproval: true,
  execute: ({ city }, context) => {
    appendFileSync(process.env.WEATHER_LOG, context.toolCallId + '\\n');
    return { city, sky: 'sunny' };
  },
});

const results = (request) =>
  request.prompt.flatMap((message) => (message.role === 'tool' ? message.content : []));

export default defineAgent({
  name: 'weather',
  instructions: 'Tell the weather.',
  tools: [getWeather, askQuestion()],
  model: scriptedModel((request) => {
    const done = results(request);
    const wantsQuestion = JSON.stringify(request.prompt.filter((message) => message.role === 'user')).includes('ask');
    const weather = done.find((part) => part.toolName === 'get_weather');
    const answer = done.find((part) => part.toolName === 'ask_question');
    if (!weather) return { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] };
    if (wantsQuestion && !answer)
      return { toolCalls: [{ name: 'ask_question', input: { question: 'Which unit?', choices: ['C', 'F'] } }] };
    return { text: 'weather ' + JSON.stringify(weather.output) + ' unit ' + JSON.stringify(answer?.output ?? null) };
  }),
});
`;

describe('baton run with a tool that needs approval', () => {
  let dir: string;
  let agentFile: string;
  let weatherLog: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-hitl-run-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agentFile = join(dir, 'weather.ts');
    writeFileSync(agentFile, weatherAgent);
    weatherLog = join(dir, 'weather.log');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const calls = () => readFileSync(weatherLog, 'utf8').split('\n').filter(Boolean);

  it('without a TTY exits 4 leaving the run waiting, naming the approval; baton approve and a worker finish it', async () => {
    const db = join(dir, 'pipe.db');
    writeFileSync(weatherLog, '');
    const env = { BATON_DB: db, WEATHER_LOG: weatherLog };
    const run = await runCli(['run', agentFile, 'weather in Paris', '--json'], { env });
    expect(run.code, run.stderr).toBe(4);
    const approvalId = /approval (apr_\S+):/.exec(run.stderr)?.[1];
    expect(approvalId, run.stderr).toBeDefined();
    expect(run.stderr).toContain(`baton approve ${approvalId}`);
    // stdout stays NDJSON: the events up to the park, ending in run.waiting.
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.map((event) => event.type)).toContain('approval.requested');
    expect(calls()).toEqual([]);

    const approve = await runCli(['approve', approvalId ?? ''], { env });
    expect(approve.code, approve.stderr).toBe(0);
    const worker = await runCli(['worker', '--until-idle'], { env });
    expect(worker.code, worker.stderr).toBe(0);
    expect(calls()).toHaveLength(1);
    const runs = await runCli(['runs', 'list', '--json'], { env });
    expect(JSON.parse(runs.stdout)).toMatchObject([{ status: 'succeeded' }]);
  }, 120_000);

  it('on a TTY asks inline, then asks the question, and goes on to complete the run', async () => {
    const db = join(dir, 'tty.db');
    writeFileSync(weatherLog, '');
    const { command, args } = cliCommand(['run', agentFile, 'weather, and ask', '--db', db]);
    const quoted = [command, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    // `script` gives the command a pseudo-terminal; what we write to its stdin is typed there.
    const child = spawn('script', ['-qfec', quoted, '/dev/null'], {
      env: { ...process.env, WEATHER_LOG: weatherLog },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = collectProcess(child, 90_000);
    await waitFor(() => output.includes('approve get_weather {"city":"Paris"}? [y/N]'), {
      timeoutMs: 60_000,
      message: 'the inline approval prompt',
    });
    child.stdin.write('y\n');
    await waitFor(() => output.includes('Which unit? (C / F)'), {
      timeoutMs: 60_000,
      message: 'the inline question',
    });
    child.stdin.write('C\n');
    const result = await exited;
    expect(result.code, output).toBe(0);
    expect(output).toContain(
      'weather {"type":"json","value":{"city":"Paris","sky":"sunny"}} unit {"type":"json","value":"C"}',
    );
    expect(calls()).toHaveLength(1);
  }, 120_000);
});
