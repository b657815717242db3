import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import type { TaskView } from '../src/delegation/task-types.js';
import { type ScriptedRequest, scriptedModel } from '../src/model/scripted-model.js';
import type { Runtime, Worker } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';

const SECRET = 'sk-coder-dotenv-secret-that-must-stay-in-the-repo-9182';

/** True when anything the model was shown (tool results included) carries the secret. */
const sawSecret = (request: ScriptedRequest): boolean => JSON.stringify(request.prompt).includes(SECRET);

interface CoderResult {
  patchHash: string | null;
  candidates: {
    passed: boolean;
    validation: { checks: { name: string; ok: boolean; message: string }[] };
    review?: { approved: boolean; notes: string };
  }[];
}

describe('coder tasks in the sandbox (finding 4)', () => {
  let outside = '';
  let repo: TempRepo;
  let store: SqliteStore;
  let runtime: Runtime;
  let worker: Worker;

  beforeAll(() => {
    outside = outsideTmpDir('baton-coder-sandbox-');
    repo = createTempRepo({ 'greeting.txt': 'hi\n' }, { parent: outside });
    // The uncaptured .env of the source repository, readable by everyone: only hiding protects it.
    writeFileSync(join(repo.dir, '.env'), `API_KEY=${SECRET}\n`);
    chmodSync(repo.dir, 0o755);
    const env = join(repo.dir, '.env');
    const coder = defineAgent({
      name: 'coder',
      instructions: 'Code.',
      model: scriptedModel([
        { toolCalls: [{ name: 'run_command', input: { command: `cat ${env}; ls -A ${repo.dir}` } }] },
        (request) => ({
          toolCalls: [
            {
              name: 'write_file',
              input: {
                path: 'leak.txt',
                content: sawSecret(request) ? `LEAKED ${SECRET}\n` : 'nothing seen\n',
              },
            },
          ],
        }),
        { toolCalls: [{ name: 'write_file', input: { path: '.env.local', content: `TOKEN=${SECRET}\n` } }] },
        { toolCalls: [{ name: 'write_file', input: { path: 'greeting.txt', content: 'hello, world\n' } }] },
        { text: 'done' },
      ]),
    });
    const reviewer = defineAgent({
      name: 'reviewer',
      instructions: 'Review.',
      model: scriptedModel([
        { toolCalls: [{ name: 'run_command', input: { command: `cat ${env}` } }] },
        (request) => ({
          text: JSON.stringify({
            approved: !sawSecret(request),
            recommendation: 'merge',
            readiness: 1,
            notes: sawSecret(request) ? 'the reviewer read the repository .env' : 'clean',
          }),
        }),
      ]),
    });
    store = new SqliteStore(join(outside, 'baton.db'));
    runtime = createRuntime({ store, agents: [coder, reviewer] });
    worker = runtime.startWorker({ concurrency: 1 });
  });

  afterAll(async () => {
    await worker.stop();
    await runtime.close();
    await store.close();
    rmSync(outside, { recursive: true, force: true });
  });

  async function code(
    config: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<TaskView> {
    const tasks = runtimeTaskService(runtime);
    const { taskId } = await tasks.submitTask({
      profile: 'coder',
      args: { goal: 'fix greeting', repoRoot: repo.dir, config, ...extra },
    });
    return waitFor(
      async () => {
        const task = await tasks.getTask(taskId);
        return ['completed', 'failed', 'cancelled'].includes(task.status) && task;
      },
      { timeoutMs: 120_000, intervalMs: 50, message: `task ${taskId} to settle` },
    );
  }

  it("keeps the repository's .env from run_command, testCmd, typecheckCmd and the reviewer, and secret files out of the patch", async () => {
    const task = await code({
      // Each check passes only when the source repository cannot be seen.
      testCmd: `cat ${join(repo.dir, '.env')} >&2; test ! -e ${join(repo.dir, '.env')}`,
      typecheckCmd: `! ls -A ${repo.dir} | grep -q .`,
      reviewer: 'reviewer',
    });
    const result = task.result as CoderResult;
    const candidate = result.candidates[0];
    expect(candidate?.validation.checks.filter((check) => !check.ok)).toEqual([]);
    expect(candidate?.review).toMatchObject({ approved: true, notes: 'clean' });
    expect(task.status).toBe('completed');
    const patch = Buffer.from((await store.getBlob(result.patchHash ?? '')) ?? new Uint8Array()).toString(
      'utf8',
    );
    expect(patch).toContain('+hello, world');
    expect(patch).toContain('+nothing seen');
    expect(patch).not.toContain('.env.local');
    expect(patch).not.toContain(SECRET);
    expect(JSON.stringify(task)).not.toContain(SECRET);
  }, 120_000);

  it('cannot be asked to run without the sandbox by a caller', async () => {
    const task = await code(
      { typecheckCmd: `! ls -A ${repo.dir} | grep -q .`, sandbox: 'none' },
      { sandbox: 'none', noSandbox: true },
    );
    const result = task.result as CoderResult;
    expect(result.candidates[0]?.validation.checks.filter((check) => !check.ok)).toEqual([]);
    expect(task.status).toBe('completed');
  }, 120_000);
});
