import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { runtimeTaskService } from '../src/delegation/runtime-task-service.js';
import type { TaskView } from '../src/delegation/task-types.js';
import { loadAgentsDir } from '../src/runtime/agent-loader.js';
import type { Runtime, Worker } from '../src/runtime/types.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { AGENTS_DIR } from './fixtures/delegation/mcp-client.js';
import type { TempRepo } from './helpers/git-repo.js';
import { createTempRepo } from './helpers/git-repo.js';

interface CoderResult {
  winner: number | null;
  selection: string;
  patchHash: string | null;
  candidates: {
    variant: number;
    passed: boolean;
    validation: { checks: { name: string; ok: boolean }[]; diffLines: number };
  }[];
}

describe('the coder profile on a real git repository', () => {
  let dir: string;
  let repo: TempRepo;
  let runtime: Runtime;
  let worker: Worker;
  let store: SqliteStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-coder-'));
    repo = createTempRepo({ 'greeting.txt': 'hi\n', 'check.sh': 'grep -q "hello, world" greeting.txt\n' });
    store = new SqliteStore(join(dir, 'baton.db'));
    runtime = createRuntime({ store, agents: await loadAgentsDir(AGENTS_DIR) });
    worker = runtime.startWorker({ concurrency: 4 });
  });

  afterAll(async () => {
    await worker.stop();
    await runtime.close();
    await store.close();
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  async function code(
    goal: string,
    config: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ): Promise<TaskView> {
    const tasks = runtimeTaskService(runtime);
    const { taskId } = await tasks.submitTask({
      profile: 'coder',
      args: { goal, repoRoot: repo.dir, config, ...extra },
    });
    return waitFor(
      async () => {
        const task = await tasks.getTask(taskId);
        return ['completed', 'failed', 'cancelled'].includes(task.status) && task;
      },
      { timeoutMs: 60_000, intervalMs: 50, message: `task ${taskId} to settle` },
    );
  }

  function failedChecks(task: TaskView): string[] {
    const result = task.result as CoderResult;
    return result.candidates.flatMap((candidate) =>
      candidate.validation.checks.filter((check) => !check.ok).map((check) => check.name),
    );
  }

  it('accepts a patch whose testCmd passes in the sandbox, and stores the patch', async () => {
    const task = await code('fix greeting', { testCmd: 'sh check.sh', maxDiffLines: 50 });
    expect(task.status).toBe('completed');
    const result = task.result as CoderResult;
    expect(result.winner).toBe(0);
    expect(result.candidates[0]?.validation.checks.map((check) => [check.name, check.ok])).toEqual([
      ['non-empty', true],
      ['forbidden-paths', true],
      ['max-diff-lines', true],
      ['no-secrets', true],
      ['test', true],
    ]);
    const patch = new TextDecoder().decode(await store.getBlob(result.patchHash as string));
    expect(patch).toContain('+hello, world');
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('rejects a patch whose testCmd fails', async () => {
    const task = await code('touch forbidden', { testCmd: 'sh check.sh' });
    expect(task.status).toBe('failed');
    expect(failedChecks(task)).toEqual(['test']);
  });

  it('rejects a patch under a forbidden path', async () => {
    const task = await code('touch forbidden', { forbiddenPaths: ['secrets/'] });
    expect(task.status).toBe('failed');
    expect(task.error?.kind).toBe('patch_rejected');
    expect(failedChecks(task)).toEqual(['forbidden-paths']);
  });

  it('rejects an oversized diff', async () => {
    const task = await code('grow', { maxDiffLines: 20 });
    expect(failedChecks(task)).toEqual(['max-diff-lines']);
  });

  it('rejects a patch that adds a secret, without echoing it', async () => {
    const task = await code('leak secrets');
    expect(failedChecks(task)).toEqual(['no-secrets']);
    expect(JSON.stringify(task)).not.toContain(`AKIA${'Z'.repeat(16)}`);
  });

  it('rejects an empty patch', async () => {
    const task = await code('nothing');
    expect(task.status).toBe('failed');
    expect(failedChecks(task)).toEqual(['non-empty']);
  });

  it('fans out three variants and picks the smallest passing patch with smallest-diff', async () => {
    const task = await code(
      'fix greeting',
      { testCmd: 'sh check.sh' },
      { variants: 3, selection: 'smallest-diff' },
    );
    expect(task.status).toBe('completed');
    const result = task.result as CoderResult;
    expect(result.candidates.map((candidate) => candidate.passed)).toEqual([true, true, true]);
    const sizes = result.candidates.map((candidate) => candidate.validation.diffLines);
    expect(result.winner).toBe(1);
    expect(sizes[1]).toBe(Math.min(...sizes));
    expect(result.selection).toBe('smallest-diff');
  });
});
