import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import type { BatonEvent } from '../src/core/events.js';
import { issueReceipt, serializeEnvelope } from '../src/governed/issue.js';
import { pullRun } from '../src/governed/pull.js';
import { startWorkspaceRun } from '../src/governed/workspace-run.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { verifyReceiptFile } from '../src/proof/verify.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { tempKeys } from './helpers/governed.js';

/** The scripted coding agent's steps: edit a file, add one, run a command, answer. */
const STEPS = [
  { toolCalls: [{ name: 'edit_file', input: { path: 'a.txt', old_string: 'one', new_string: 'uno' } }] },
  { toolCalls: [{ name: 'write_file', input: { path: 'docs/added.md', content: '# added\n' } }] },
  { toolCalls: [{ name: 'run_command', input: { command: 'echo ran > ran.txt' } }] },
  { text: 'done' },
];

describe('agent runs on a workspace', () => {
  let repo: TempRepo;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeEach(async () => {
    repo = createTempRepo({ 'a.txt': 'one\n' });
    home = await tempKeys();
  });
  afterEach(() => {
    repo.remove();
    home.remove();
  });

  it('gives the agent the workspace tools on a scratch copy and produces a patch and a receipt', async () => {
    const agent = defineAgent({
      name: 'coder',
      instructions: 'Edit the workspace.',
      model: scriptedModel(({ step }) => STEPS[step] ?? { text: 'done' }),
    });
    const store = new MemoryStore();
    const before = repo.git('status', '--porcelain');
    const started = await startWorkspaceRun(store, {
      dir: repo.dir,
      agent: agent.name,
      message: 'improve a.txt',
      requestedBy: { kind: 'cli', subject: 'test' },
      keys: home.keys,
    });
    const runtime = createRuntime({ store, agents: [agent] });
    const run = await runtime.execute(started.runId);
    await runtime.close();
    expect(run.status).toBe('succeeded');
    expect(repo.git('status', '--porcelain')).toBe(before);

    const events = (await store.readEvents(started.sessionId)) as BatonEvent[];
    const results = events.filter((event) => event.type === 'tool.result').map((event) => event.data);
    expect(results.map((result) => [result.name, result.ok])).toEqual([
      ['edit_file', true],
      ['write_file', true],
      ['run_command', true],
    ]);
    const patch = events.find((event) => event.type === 'workspace.patch');
    expect(patch?.data).toMatchObject({ files: 3 });

    const envelope = await issueReceipt(store, started.runId, home.keys);
    expect(await verifyReceiptFile(Buffer.from(serializeEnvelope(envelope)), { store })).toMatchObject({
      valid: true,
    });
    expect(envelope.contract).toMatchObject({ agent: 'coder', workspaceManifestHash: expect.any(String) });

    await pullRun(store, started.runId, { dir: repo.dir });
    expect(repo.git('show', ':a.txt')).toBe('one');
    expect(repo.git('diff', '--stat')).toContain('a.txt');
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toContain('docs/added.md');
  });

  it('runs `baton run <agent-file> <task> --workspace <dir>` end to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-agent-file-'));
    try {
      const agentFile = join(dir, 'coder.ts');
      writeFileSync(
        agentFile,
        [
          `import { defineAgent } from ${JSON.stringify(join(REPO_ROOT, 'src/core/agent.ts'))};`,
          `import { scriptedModel } from ${JSON.stringify(join(REPO_ROOT, 'src/model/scripted-model.ts'))};`,
          `const steps = ${JSON.stringify(STEPS)};`,
          "export default defineAgent({ name: 'coder', instructions: 'Edit.', model: scriptedModel(({ step }) => steps[step] ?? { text: 'done' }) });",
        ].join('\n'),
      );
      const db = join(home.home, 'baton.db');
      const before = repo.git('status', '--porcelain', '--untracked-files=all');
      const result = await runCli(['run', agentFile, 'improve a.txt', '--workspace', repo.dir, '--db', db], {
        cwd: repo.dir,
      });
      expect(result.code).toBe(0);
      const runId = /baton receipt (run_\w+)/.exec(result.stderr)?.[1] ?? '';
      expect(runId).not.toBe('');
      expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe(before);
      // The run records its agent module, so a worker told nothing could resume it.
      const shown = await runCli(['runs', 'show', runId, '--json', '--db', db]);
      expect(JSON.parse(shown.stdout)).toMatchObject({ kind: 'workspace', agentModule: agentFile });
      const pulled = await runCli(['pull', runId, '--branch', '--db', db], { cwd: repo.dir });
      expect(pulled.code).toBe(0);
      expect(repo.git('show', `baton/${runId}:ran.txt`)).toBe('ran');
      expect(repo.git('show', `baton/${runId}:a.txt`)).toBe('uno');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
