import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { Agent, McpServerSpec } from '../src/core/agent.js';
import { defineAgent } from '../src/core/agent.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import type { TaskView } from '../src/delegation/task-types.js';
import { startWorkspaceRun } from '../src/governed/workspace-run.js';
import { type ScriptedStep, scriptedModel } from '../src/model/scripted-model.js';
import type { Runtime } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { RESEARCH_ANSWER } from './fixtures/delegation/research-answer.js';
import { tsxCommand } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { tempKeys } from './helpers/governed.js';

const MARKER_SERVER = fileURLToPath(new URL('./fixtures/mcp/marker-server.ts', import.meta.url));
const BROKEN_SERVER: McpServerSpec = { name: 'broken', command: '/nonexistent/mcp-server' };
const APPROVAL = '{"approved": true, "recommendation": "ship", "readiness": 0.9, "notes": "ok"}';

/** Calls `marker__mark` with `label` first, then follows `steps`. */
function markingModel(label: string, steps: ScriptedStep[]) {
  return scriptedModel(
    ({ step }) =>
      [{ toolCalls: [{ name: 'marker__mark', input: { label } }] }, ...steps][step] ?? { text: 'done' },
  );
}

describe('every executor path connects the agent’s MCP servers', () => {
  let dir: string;
  let marker: string;
  let store: SqliteStore;
  let repo: TempRepo;
  let runtime: Runtime | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mcp-executors-'));
    marker = join(dir, 'marker.log');
    store = new SqliteStore(join(dir, 'baton.db'));
    repo = createTempRepo({ 'a.txt': 'one\n' });
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await store.close();
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const markerServer = (): McpServerSpec => ({
    name: 'marker',
    ...tsxCommand(MARKER_SERVER),
    env: { MARKER_FILE: marker },
  });
  const marks = (): string[] => (existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n') : []);

  /** Submits a task to a runtime with `agents` and executes its run in this process. */
  async function runTask(agents: Agent[], profile: string, args: Record<string, unknown>): Promise<TaskView> {
    runtime = createRuntime({ store, agents });
    const tasks = runtimeTaskService(runtime);
    const { taskId } = await tasks.submitTask({ profile, args });
    const task = await tasks.getTask(taskId);
    await runtime.execute(task.runId as string);
    return tasks.getTask(taskId);
  }

  const coder = (servers: McpServerSpec[]) =>
    defineAgent({
      name: 'coder',
      instructions: 'Edit.',
      mcpServers: servers,
      model: markingModel('coder', [
        { toolCalls: [{ name: 'write_file', input: { path: 'out.txt', content: 'x\n' } }] },
        { text: 'wrote out.txt' },
      ]),
    });
  const reviewer = (servers: McpServerSpec[]) =>
    defineAgent({
      name: 'reviewer',
      instructions: 'Review.',
      mcpServers: servers,
      model: markingModel('reviewer', [{ text: APPROVAL }]),
    });
  const researcher = (servers: McpServerSpec[]) =>
    defineAgent({
      name: 'researcher',
      instructions: 'Research.',
      mcpServers: servers,
      model: markingModel('researcher', [{ text: RESEARCH_ANSWER }]),
    });

  async function workspaceRun(agent: Agent) {
    const home = await tempKeys();
    try {
      const started = await startWorkspaceRun(store, {
        dir: repo.dir,
        agent: agent.name,
        message: 'go',
        requestedBy: { kind: 'cli', subject: 'test' },
        keys: home.keys,
      });
      runtime = createRuntime({ store, agents: [agent] });
      return await runtime.execute(started.runId);
    } finally {
      home.remove();
    }
  }

  it('a workspace run (baton run --workspace) gets the server tools', async () => {
    const agent = defineAgent({
      name: 'worker',
      instructions: 'Mark.',
      mcpServers: [markerServer()],
      model: markingModel('workspace', [{ text: 'done' }]),
    });
    const run = await workspaceRun(agent);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(marks()).toEqual(['workspace']);
  });

  it('a workspace run whose server cannot start fails with mcp_server_failed', async () => {
    const agent = defineAgent({
      name: 'worker',
      instructions: 'Mark.',
      mcpServers: [BROKEN_SERVER],
      model: markingModel('workspace', [{ text: 'done' }]),
    });
    const run = await workspaceRun(agent);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('mcp_server_failed');
  });

  it('a coder candidate gets the server tools', async () => {
    const task = await runTask([coder([markerServer()])], 'coder', { goal: 'mark', repoRoot: repo.dir });
    expect(task.status, JSON.stringify(task.error)).toBe('completed');
    expect(marks()).toEqual(['coder']);
  });

  it('a coder task whose candidate server cannot start fails with mcp_server_failed', async () => {
    const task = await runTask([coder([BROKEN_SERVER])], 'coder', { goal: 'mark', repoRoot: repo.dir });
    expect(task.status).toBe('failed');
    expect(task.error?.kind).toBe('mcp_server_failed');
  });

  it('the reviewer gets its server tools', async () => {
    const task = await runTask([coder([]), reviewer([markerServer()])], 'coder', {
      goal: 'mark',
      repoRoot: repo.dir,
      config: { reviewer: 'reviewer' },
    });
    expect(task.status, JSON.stringify(task.error)).toBe('completed');
    expect(marks()).toEqual(['reviewer']);
    expect(task.result).toMatchObject({ candidates: [{ review: { approved: true } }] });
  });

  it('a coder task whose reviewer server cannot start fails with mcp_server_failed', async () => {
    const task = await runTask([coder([]), reviewer([BROKEN_SERVER])], 'coder', {
      goal: 'mark',
      repoRoot: repo.dir,
      config: { reviewer: 'reviewer' },
    });
    expect(task.status).toBe('failed');
    expect(task.error?.kind).toBe('mcp_server_failed');
  });

  it('every variant of a multi-variant research gets the server tools', async () => {
    const task = await runTask([researcher([markerServer()])], 'researcher', {
      question: 'sky?',
      variants: 2,
    });
    expect(task.status, JSON.stringify(task.error)).toBe('completed');
    expect(marks()).toEqual(['researcher', 'researcher']);
  });

  it('a multi-variant research whose server cannot start fails with mcp_server_failed', async () => {
    const task = await runTask([researcher([BROKEN_SERVER])], 'researcher', {
      question: 'sky?',
      variants: 2,
    });
    expect(task.status).toBe('failed');
    expect(task.error?.kind).toBe('mcp_server_failed');
  });
});
