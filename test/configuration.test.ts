import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { startServeProcess } from './helpers/serve-process.js';

// The CLI's configuration, end to end: every BATON_* variable reaches what it configures through
// loadConfig, and an unusable one stops any command with a usage error naming it.

const dir = mkdtempSync(join(tmpdir(), 'baton-configuration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'baton.db');

describe('the configuration of the baton CLI', () => {
  it('refuses an unusable variable with exit 2 naming it, whichever command runs', async () => {
    for (const [name, value] of [
      ['BATON_PG_POOL_SIZE', 'many'],
      ['BATON_LEASE_TTL_MS', 'soon'],
      ['BATON_SQLITE_SYNCHRONOUS', 'OFF'],
    ]) {
      const result = await runCli(['runs', 'list', '--db', db], { env: { [name as string]: value } });
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr: expect.stringMatching(new RegExp(`^baton: ${name} must be `)),
      });
    }
  });

  it('lets a flag win over its variable', async () => {
    const result = await runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db], {
      env: { BATON_LEASE_TTL_MS: 'soon' },
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it('never echoes a secret it refuses', async () => {
    const result = await runCli(['serve', '--port', '0', '--auth', 'basic', '--db', db], {
      env: { BATON_BASIC_USER: 'ada', BATON_BASIC_PASSWORD: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('BATON_BASIC_PASSWORD must be set');
  });

  it('derives continuation tokens from BATON_TOKEN_SECRET in baton serve', async () => {
    const agents = join(dir, 'agents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(
      join(agents, 'echo.ts'),
      `import { defineAgent, scriptedModel } from ${JSON.stringify(join(REPO_ROOT, 'src', 'index.js'))};\n` +
        "export default defineAgent({ name: 'echo', instructions: 'x', model: scriptedModel([{ text: 'hi' }]) });\n",
    );
    const secret = 'shared-by-every-server';
    const server = await startServeProcess(
      ['--port', '0', '--workers', '0', '--agents', agents, '--db', join(dir, 'tokens.db')],
      { env: { BATON_TOKEN_SECRET: secret } },
    );
    try {
      const { sessionId, continuationToken } = await createClient({ baseUrl: server.url }).startSession({
        agent: 'echo',
        message: 'hi',
      });
      expect(continuationToken).toBe(createHmac('sha256', secret).update(sessionId).digest('base64url'));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('BATON_MODEL', () => {
  it('is the model of the built-in agents of tasks that baton serve executes', async () => {
    const server = await startServeProcess(['--port', '0', '--workers', '1', '--db', join(dir, 'model.db')], {
      cwd: dir,
      // An OpenAI model without a key: the task fails saying so, which only the built-in
      // researcher on BATON_MODEL can (without BATON_MODEL it fails with no_agent).
      env: { BATON_MODEL: 'openai:gpt-4.1-mini', OPENAI_API_KEY: '' },
    });
    try {
      const submitted = await fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'researcher', args: { question: 'sky?' } }),
      });
      expect(submitted.status).toBeLessThan(300);
      const { taskId } = (await submitted.json()) as { taskId: string };
      const task = await waitFor(
        async () => {
          const current = (await (await fetch(`${server.url}/v1/tasks/${taskId}`)).json()) as {
            status: string;
          };
          return ['completed', 'failed'].includes(current.status) && current;
        },
        { timeoutMs: 30_000, message: `task ${taskId} to end` },
      );
      expect(task).toMatchObject({ status: 'failed', error: { kind: 'missing_api_key' } });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
