import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { defineAgent } from '../src/core/agent.js';
import { createTaskService } from '../src/delegation/task-service.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { callTool, connectStdio } from './fixtures/delegation/mcp-client.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

/**
 * The layout every test names paths in: `allowed/` is the configured --repo-root, `outside/`
 * is not. Links and `..` lead from one to the other.
 */
interface Layout {
  base: string;
  allowed: string;
  inside: TempRepo;
  outside: TempRepo;
}

function makeLayout(): Layout {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'baton-repo-roots-')));
  const allowed = join(base, 'allowed');
  const outsideDir = join(base, 'outside');
  mkdirSync(allowed);
  mkdirSync(outsideDir);
  const inside = createTempRepo({ 'a.txt': 'a\n' }, { parent: allowed });
  const outside = createTempRepo({ 'secret.txt': 'outside\n' }, { parent: outsideDir });
  mkdirSync(join(allowed, 'plain'));
  symlinkSync(outside.dir, join(allowed, 'link'));
  // A work tree inside the root whose git directory is the outside repository's.
  mkdirSync(join(allowed, 'borrowed'));
  writeFileSync(join(allowed, 'borrowed', '.git'), `gitdir: ${join(outside.dir, '.git')}\n`);
  return { base, allowed, inside, outside };
}

/** Each repoRoot a caller might send, and the code Baton must answer with. */
function refusals(layout: Layout): [string, string][] {
  return [
    [layout.outside.dir, 'repo_not_allowed'],
    [join(layout.allowed, 'link'), 'repo_not_allowed'],
    [join(layout.allowed, '..', 'outside', layout.outside.dir.split('/').at(-1) ?? ''), 'repo_not_allowed'],
    [join(layout.allowed, 'borrowed'), 'repo_not_allowed'],
    // Whether a path outside the roots exists is not for the caller to learn.
    [join(layout.base, 'outside', 'missing'), 'repo_not_allowed'],
    ['/', 'repo_not_allowed'],
    [join(layout.allowed, 'missing'), 'repo_not_found'],
    [join(layout.allowed, 'plain'), 'repo_not_found'],
    [join(layout.allowed, 'plain', '..', 'missing', 'deeper'), 'repo_not_found'],
  ];
}

const codeTask = (repoRoot: string) => ({ profile: 'coder', args: { goal: 'anything', repoRoot } });

describe('repositories a caller may name', () => {
  let layout: Layout;

  beforeAll(() => {
    layout = makeLayout();
  });

  afterAll(() => {
    rmSync(layout.base, { recursive: true, force: true });
  });

  describe('baton serve --repo-root', () => {
    let server: ServeProcess;

    beforeAll(async () => {
      server = await startServeProcess([
        '--db',
        join(layout.base, 'serve.db'),
        '--port',
        '0',
        '--workers',
        '0',
        '--repo-root',
        layout.allowed,
      ]);
    });

    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
    });

    const submit = (body: unknown) =>
      fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('accepts a repository under the root', async () => {
      const response = await submit(codeTask(layout.inside.dir));
      expect(response.status).toBe(202);
    });

    it('answers 403 repo_not_allowed outside the root (by real path) and 404 repo_not_found for no repository', async () => {
      for (const [repoRoot, code] of refusals(layout)) {
        const response = await submit(codeTask(repoRoot));
        expect([repoRoot, response.status, await response.json()]).toEqual([
          repoRoot,
          code === 'repo_not_allowed' ? 403 : 404,
          { error: { code, message: expect.any(String) } },
        ]);
      }
    });

    it('refuses the same over MCP at /mcp as a tool error', async () => {
      const client = new Client({ name: 'baton-test', version: '0.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
      try {
        const result = (await client.callTool({
          name: 'delegate_code',
          arguments: { goal: 'anything', repoRoot: layout.outside.dir },
        })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(result.content[0]).toMatchObject({ text: expect.stringMatching(/^repo_not_allowed: /) });
      } finally {
        await client.close();
      }
    });
  });

  it('baton serve without --repo-root allows only its working directory', async () => {
    const server = await startServeProcess(
      ['--db', join(layout.base, 'cwd.db'), '--port', '0', '--workers', '0'],
      { cwd: layout.allowed },
    );
    try {
      const submit = (repoRoot: string) =>
        fetch(`${server.url}/v1/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(codeTask(repoRoot)),
        });
      expect((await submit(layout.inside.dir)).status).toBe(202);
      expect((await submit(layout.outside.dir)).status).toBe(403);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('baton mcp --repo-root refuses delegate_code outside the root with a tool error', async () => {
    const session = await connectStdio(join(layout.base, 'mcp.db'), [
      '--workers',
      '0',
      '--repo-root',
      layout.allowed,
    ]);
    try {
      for (const [repoRoot, code] of refusals(layout)) {
        const result = await callTool(session.client, 'delegate_code', { goal: 'anything', repoRoot });
        expect([repoRoot, result.isError, result.content[0]]).toEqual([
          repoRoot,
          true,
          { type: 'text', text: expect.stringMatching(new RegExp(`^${code}: `)) },
        ]);
      }
      const accepted = await callTool(session.client, 'delegate_code', {
        goal: 'anything',
        repoRoot: layout.inside.dir,
      });
      expect(accepted.isError).toBeFalsy();
    } finally {
      await session.close();
    }
  });

  it('a task whose repository does not exist fails with repo_not_found, not git_missing', async () => {
    const store = new SqliteStore(join(layout.base, 'library.db'));
    const coder = defineAgent({ name: 'coder', instructions: 'x', model: scriptedModel([{ text: 'done' }]) });
    const runtime = createRuntime({ store, agents: [coder] });
    try {
      // An in-process caller (no configured roots) is trusted with any path; the run still says what is wrong.
      const tasks = createTaskService({ store, agents: runtime.agents });
      const { taskId } = await tasks.submitTask(codeTask(join(layout.allowed, 'missing')));
      await runtime.execute((await tasks.getTask(taskId)).runId as string);
      expect((await tasks.getTask(taskId)).error).toEqual({
        kind: 'repo_not_found',
        message: expect.stringContaining('missing'),
      });
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
