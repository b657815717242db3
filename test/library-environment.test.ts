import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import type { Runtime } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { RESEARCH_ANSWER } from './fixtures/delegation/research-answer.js';

// The library reads no BATON_* variable and looks the variables users' definitions name up in
// the `env` its caller passes: the CLI passes its own, library users theirs.

describe('the library takes its configuration explicitly', () => {
  let dir: string;
  let store: SqliteStore;
  let runtime: Runtime | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-library-env-'));
    store = new SqliteStore(join(dir, 'baton.db'));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await runtime?.close();
    runtime = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function research(options: Parameters<typeof createRuntime>[0]) {
    runtime = createRuntime(options);
    const tasks = runtimeTaskService(runtime);
    const { taskId } = await tasks.submitTask({ profile: 'researcher', args: { question: 'sky?' } });
    await runtime.execute((await tasks.getTask(taskId)).runId as string);
    return tasks.getTask(taskId);
  }

  it('runs the built-in researcher on the model of profiles.model', async () => {
    const task = await research({ store, profiles: { model: scriptedModel([{ text: RESEARCH_ANSWER }]) } });
    expect(task.status, JSON.stringify(task.error)).toBe('completed');
  });

  it('does not read BATON_MODEL from the process environment', async () => {
    vi.stubEnv('BATON_MODEL', 'openai:gpt-4.1-mini');
    const task = await research({ store });
    expect(task).toMatchObject({ status: 'failed', error: { kind: 'no_agent' } });
  });

  it("looks a model's API key up in the runtime's env, not the process's", async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-the-process');
    const agent = defineAgent({ name: 'keyed', instructions: 'x', model: 'openai:gpt-4.1-mini' });
    runtime = createRuntime({ store, agents: [agent], env: {} });
    const { runId } = await runtime.start({ agent: 'keyed', message: 'hi' });
    const run = await runtime.execute(runId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'missing_api_key' } });
    expect(run.error?.message).toContain('OPENAI_API_KEY');
  });
});
