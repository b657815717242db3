import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTaskService } from '../src/delegation/task-service.js';
import type { RunRecord } from '../src/store/run-store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { exited, spawnCli } from './fixtures/effects.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { startServeProcess } from './helpers/serve-process.js';

/**
 * An agent file whose first step calls `hold`: the tool writes the marker file (the moment to
 * kill the process) and then waits far longer than any test. `instructions` is what a test
 * changes between the killed attempt and the resumed one.
 */
function agentSource(marker: string, instructions: string): string {
  return [
    `import { setTimeout as sleep } from 'node:timers/promises';`,
    `import { writeFileSync } from 'node:fs';`,
    // The file lives outside this package: it imports the very zod module Baton's sources use.
    `import { z } from ${JSON.stringify(join(REPO_ROOT, 'node_modules/zod/index.js'))};`,
    `import { defineAgent, scriptedModel, tool } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};`,
    `const hold = tool({ name: 'hold', description: 'Hold.', inputSchema: z.object({}), async execute(_input, context) {`,
    `  writeFileSync(${JSON.stringify(marker)}, 'held');`,
    `  await sleep(120_000, undefined, { signal: context.signal }).catch(() => undefined);`,
    `  return 'held'; } });`,
    `export default defineAgent({ name: 'holder', instructions: ${JSON.stringify(instructions)}, tools: [hold],`,
    `  model: scriptedModel((request) => request.lastRole === 'tool' ? { text: 'done' } : { toolCalls: [{ name: 'hold', input: {} }] }) });`,
  ].join('\n');
}

function waitForFile(path: string, isAlive: () => boolean): Promise<boolean> {
  return waitFor(
    () => {
      if (existsSync(path)) return true;
      if (!isAlive()) throw new Error(`the process ended before ${path} appeared`);
      return false;
    },
    { timeoutMs: 60_000, message: `${path} to appear` },
  );
}

async function onlyRun(db: string, kind: string): Promise<RunRecord> {
  const store = new SqliteStore(db);
  try {
    const runs = (await store.listRuns({ limit: 10 })).items.filter((run) => run.kind === kind);
    expect(runs).toHaveLength(1);
    return runs[0] as RunRecord;
  } finally {
    await store.close();
  }
}

describe('a resumed run replays only into the agent it started with', () => {
  let dir = '';
  let db = '';
  let marker = '';
  let repo: TempRepo;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-definition-'));
    db = join(dir, 'baton.db');
    marker = join(dir, 'held');
    repo = createTempRepo({ 'a.txt': 'a\n' });
  });

  afterEach(() => {
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `baton run <file> --workspace`, killed with SIGKILL while its tool runs. */
  async function killedWorkspaceRun(agentFile: string): Promise<void> {
    const child = spawnCli(['run', agentFile, 'go', '--workspace', repo.dir, '--db', db], {});
    await waitForFile(marker, () => child.exitCode === null && child.signalCode === null);
    child.kill('SIGKILL');
    await exited(child);
  }

  const resumeWithWorker = (extra: string[] = []) =>
    runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db, ...extra]);

  it('fails a workspace run whose agent file changed with definition_changed', async () => {
    const agentFile = join(dir, 'holder.ts');
    writeFileSync(agentFile, agentSource(marker, 'Hold.'));
    await killedWorkspaceRun(agentFile);
    writeFileSync(agentFile, agentSource(marker, 'Hold, then do something else entirely.'));
    const worker = await resumeWithWorker();
    expect(worker.code, worker.stderr).toBe(0);
    const run = await onlyRun(db, 'workspace');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('definition_changed');
  }, 120_000);

  it('resumes a workspace run whose agent file did not change', async () => {
    const agentFile = join(dir, 'holder.ts');
    writeFileSync(agentFile, agentSource(marker, 'Hold.'));
    await killedWorkspaceRun(agentFile);
    const worker = await resumeWithWorker();
    expect(worker.code, worker.stderr).toBe(0);
    const run = await onlyRun(db, 'workspace');
    expect([run.status, run.error]).toEqual(['succeeded', null]);
  }, 120_000);

  it('fails a task run whose agent file changed with definition_changed', async () => {
    const agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    const agentFile = join(agentsDir, 'holder.ts');
    writeFileSync(agentFile, agentSource(marker, 'Hold.'));
    const server = await startServeProcess(['--agents', agentsDir, '--db', db, '--port', '0']);
    try {
      const response = await fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'agent:holder', args: { message: 'go' } }),
      });
      expect(response.status).toBe(202);
      await waitForFile(marker, () => server.child.exitCode === null);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    writeFileSync(agentFile, agentSource(marker, 'Hold, then do something else entirely.'));
    const worker = await resumeWithWorker(['--agents', agentsDir]);
    expect(worker.code, worker.stderr).toBe(0);
    const run = await onlyRun(db, 'task');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('definition_changed');
    const store = new SqliteStore(db);
    try {
      const [task] = await createTaskService({ store, agents: new Map() }).history();
      expect(task?.error?.kind).toBe('definition_changed');
    } finally {
      await store.close();
    }
  }, 120_000);
});
