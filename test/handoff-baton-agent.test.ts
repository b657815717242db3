import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { agents, handoff, localFirst, targets } from '../src/handoff/index.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { runWithEvents } from './helpers/governed.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// `agents.baton(name)` / `baton handoff --agent <name>` end to end: a plane (`baton serve
// --agents` on a real SQLite file) whose agents module defines Baton agents with scripted
// models, and a runner process of pool `default` with its own Baton home and no database.

const _LONG = { timeoutMs: 90_000, intervalMs: 100 };
const SECRET_VALUE = 'agent-secret-4b7e-masked-in-tool-results';

/**
 * `coder` writes the task into AGENT.md with the workspace's `write_file`, then runs a command
 * in the sandbox that writes another file and echoes the released secret; `spender` costs $1
 * a step and never stops; `sleeper` runs a command longer than any budget here.
 */
const AGENTS_MODULE = `
import { defineAgent, scriptedModel } from '${join(REPO_ROOT, 'src', 'index.js')}';

export const sleeper = defineAgent({
  name: 'sleeper',
  instructions: 'Wait.',
  model: scriptedModel(() => ({ toolCalls: [{ name: 'run_command', input: { command: 'sleep 30' } }] })),
});

export default defineAgent({
  name: 'coder',
  instructions: 'Do the task in the workspace.',
  model: scriptedModel(({ step, lastUserText }) => {
    if (step === 0)
      return { toolCalls: [{ name: 'write_file', input: { path: 'AGENT.md', content: (lastUserText ?? '') + '\\n' } }] };
    if (step === 1)
      return {
        toolCalls: [
          { name: 'run_command', input: { command: 'echo from-the-sandbox > sandboxed.txt; echo "token=$API_TOKEN"' } },
        ],
      };
    return { text: 'Wrote AGENT.md and sandboxed.txt.' };
  }),
  handoffs: [sleeper],
});
`;

const SPENDER_MODULE = `
import { defineAgent, scriptedModel } from '${join(REPO_ROOT, 'src', 'index.js')}';

export default defineAgent({
  name: 'spender',
  instructions: 'Spend.',
  model: scriptedModel(({ step }) => ({
    toolCalls: [{ name: 'write_file', input: { path: 'step-' + step + '.txt', content: 'spent\\n' } }],
    usage: { inputTokens: 1, outputTokens: 1, costUsd: 1 },
  })),
});
`;

describe('hand-off to a Baton agent', () => {
  let outside = '';
  let repo: TempRepo;
  let planeHome = '';
  let db = '';
  let plane: ServeProcess;
  let runner: RunnerProcess | undefined;
  const runnerLog = () => runner?.stderr() ?? '';

  beforeAll(async () => {
    outside = outsideTmpDir('baton-handoff-agent-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    chmodSync(repo.dir, 0o755);
    planeHome = join(outside, 'plane');
    mkdirSync(planeHome);
    const agentsDir = join(outside, 'agents');
    mkdirSync(agentsDir);
    writeFileSync(join(agentsDir, 'coder.ts'), AGENTS_MODULE);
    writeFileSync(join(agentsDir, 'spender.ts'), SPENDER_MODULE);
    db = join(planeHome, 'baton.db');
    const secretsFile = join(outside, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ API_TOKEN: { value: SECRET_VALUE, pools: ['default'] } }));
    plane = await startServeProcess(
      [
        '--db',
        db,
        '--port',
        '0',
        '--workers',
        '0',
        '--agents',
        agentsDir,
        '--secrets-file',
        secretsFile,
        // `ghost` is allowed, and no runner has it: the runner, not the plane, refuses it.
        '--pool-agents',
        'default=coder,spender',
        '--pool-agents',
        'default=sleeper,ghost',
      ],
      { env: { BATON_HOME: planeHome } },
    );
    // The runner knows no database and no agent: it loads the module the plane recorded.
    runner = await startRunnerProcess(plane.url, join(outside, 'runner'), ['--poll-interval', '100']);
  }, 120_000);

  afterAll(async () => {
    runner?.kill();
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    rmSync(outside, { recursive: true, force: true });
  });

  const handoffCli = (args: string[]) =>
    runCli(['handoff', ...args, '--plane', plane.url], {
      cwd: repo.dir,
      env: { BATON_HOME: join(outside, 'laptop-home') },
    });

  const planeRun = async (runId: string) => {
    const store = new SqliteStore(db);
    try {
      const { record: run, events } = await runWithEvents(store, runId);
      return { run, events, types: events.map((event) => event.type) };
    } finally {
      await store.close();
    }
  };

  it('--agent <name> --wait --json runs the served agent on the runner: its log, its patch, a receipt that verifies', async () => {
    const result = await handoffCli([
      'write the notes',
      '--pool',
      'default',
      '--agent',
      'coder',
      '--wait',
      '--json',
    ]);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0] ?? '') as {
      runId: string;
      status: string;
      receipt: { receipt: { status: string; runner: { pool?: string } }; contract: { agent: string } };
      patch: { files: number; patchHash: string };
    };
    const failure = async () => JSON.stringify((await planeRun(output.runId)).run?.error);
    expect(output.status, await failure()).toBe('succeeded');
    expect(result.code, `${result.stderr}\n${runnerLog()}`).toBe(0);
    expect(output).toMatchObject({ status: 'succeeded', patch: { files: 2 } });
    expect(output.receipt.receipt).toMatchObject({ status: 'succeeded', runner: { pool: 'default' } });
    expect(output.receipt.contract.agent).toBe('coder');

    const { run, events, types } = await planeRun(output.runId);
    expect(run).toMatchObject({ kind: 'agent', agent: 'coder', status: 'succeeded', pool: 'default' });
    expect(run?.agentModule).toBe(join(outside, 'agents', 'coder.ts'));
    expect(types).toEqual(expect.arrayContaining(['message.completed', 'tool.started', 'tool.result']));
    const calls = events.flatMap((event) => (event.type === 'tool.started' ? [event.data.name] : []));
    expect(calls).toEqual(['write_file', 'run_command']);
    const answer = events.filter((event) => event.type === 'message.completed').at(-1);
    expect(answer?.data).toMatchObject({ role: 'assistant', text: 'Wrote AGENT.md and sandboxed.txt.' });

    // The patch holds the agent's change: the file its tool wrote and the one its sandboxed command wrote.
    const patch = await runCli(['pull', output.runId, '--db', db, '--branch'], { cwd: repo.dir });
    expect(patch.code, patch.stderr).toBe(0);
    expect(repo.git('show', `baton/${output.runId}:AGENT.md`)).toBe('write the notes');
    expect(repo.git('show', `baton/${output.runId}:sandboxed.txt`)).toBe('from-the-sandbox');

    const receiptFile = join(outside, 'receipt.json');
    writeFileSync(receiptFile, JSON.stringify(output.receipt));
    const exported = await runCli(['keys', 'export-trust', '--db', db], { env: { BATON_HOME: planeHome } });
    expect(exported.code, exported.stderr).toBe(0);
    const trustFile = join(outside, 'trust.json');
    writeFileSync(trustFile, exported.stdout);
    const verified = await runCli(['verify', receiptFile, '--trust', trustFile]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 180_000);

  it('agents.baton(name) from the SDK: released secrets reach run_command masked, pull() brings the change back', async () => {
    const sdk = handoff({
      workspace: repo.dir,
      plane: { url: plane.url },
      agent: agents.baton('coder'),
      policy: localFirst({ allowPools: ['default'], allowSecrets: ['API_TOKEN'] }),
      secrets: ['API_TOKEN'],
    });
    const run = await sdk.continueIn(targets.pool('default'), { task: 'from the sdk' });
    expect(await run.wait({ timeoutMs: 90_000 }), runnerLog()).toBe('succeeded');
    const pulled = await run.pull({ isolation: 'branch' });
    if (pulled.mode !== 'branch') throw new Error('a branch was asked for');
    expect(repo.git('show', `${pulled.branch}:AGENT.md`)).toBe('from the sdk');

    const events: BatonEvent[] = [];
    for await (const event of run.stream()) if (event.type !== 'model.delta') events.push(event);
    const command = events.find((event) => event.type === 'tool.result' && event.data.name === 'run_command');
    expect(JSON.stringify(command?.data)).toContain('token=[secret API_TOKEN]');
    const planeBytes = readFileSync(db);
    expect(planeBytes.includes(SECRET_VALUE)).toBe(false);
    expect(runnerLog().includes(SECRET_VALUE)).toBe(false);
  }, 180_000);

  it('fails the run agent_unavailable on a runner that has no agent of that name', async () => {
    const result = await handoffCli(['do it', '--pool', 'default', '--agent', 'ghost', '--wait', '--json']);
    const output = JSON.parse(result.stdout) as {
      runId: string;
      status: string;
      receipt: { receipt: { status: string } };
    };
    expect(output.status, `${result.stderr}\n${runnerLog()}`).toBe('failed');
    expect(result.code).not.toBe(0);
    expect(output.receipt.receipt.status).toBe('failed');
    const { run, types } = await planeRun(output.runId);
    expect(run?.error).toMatchObject({ code: 'agent_unavailable' });
    expect(run?.error?.message).toMatch(/no agent named "ghost" on this runner/);
    expect(types).not.toContain('message.completed');

    const refused = await handoffCli(['do it', '--pool', 'default', '--agent', 'not a name', '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/agent_unavailable/);
  }, 180_000);

  it('refuses a Baton agent the pool is not allowed (--pool-agents) with 403 agent_not_allowed, queueing nothing', async () => {
    const store = new SqliteStore(db);
    const runsBefore = (await store.listRuns({ limit: 1000 })).items.length;
    await store.close();
    const refused = await handoffCli(['do it', '--pool', 'default', '--agent', 'outsider', '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/agent_not_allowed/);
    expect(refused.stderr + refused.stdout).toMatch(/coder, spender, sleeper, ghost, not outsider/);
    const after = new SqliteStore(db);
    try {
      expect((await after.listRuns({ limit: 1000 })).items).toHaveLength(runsBefore);
    } finally {
      await after.close();
    }
  }, 120_000);

  it('holds the agent to the hand-off budget: cost and time', async () => {
    const sdk = (agentName: string, budget: { maxCostUsd?: number; timeoutMs?: number }) =>
      handoff({
        workspace: repo.dir,
        plane: { url: plane.url },
        agent: agents.baton(agentName),
        policy: localFirst({ allowPools: ['default'], maxBudgetUsd: 5 }),
        budget,
      });
    const spent = await sdk('spender', { maxCostUsd: 2.5 }).continueIn(targets.pool('default'), {
      task: 'spend',
    });
    expect(await spent.wait({ timeoutMs: 90_000 }), runnerLog()).toBe('failed');
    const spender = await planeRun(spent.runId);
    expect(spender.run?.error?.code).toBe('max_cost');
    expect(spender.types.filter((type) => type === 'message.completed')).toHaveLength(3);

    // `sleeper` is reached from the served `coder` module through its handoffs.
    const slept = await sdk('sleeper', { timeoutMs: 2_000 }).continueIn(targets.pool('default'), {
      task: 'wait',
    });
    expect(await slept.wait({ timeoutMs: 90_000 }), runnerLog()).toBe('failed');
    const sleeper = await planeRun(slept.runId);
    expect(sleeper.run?.error?.code).toBe('timeout');
    expect(sleeper.run?.agentModule).toBe(join(outside, 'agents', 'coder.ts'));
  }, 180_000);
});
