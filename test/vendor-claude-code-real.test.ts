import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVendorRun } from '../src/governed/vendor/start-vendor.js';
import { claudeCode } from '../src/governed/vendor/vendor-agent.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { claudeBinary, filesUnder } from './helpers/claude-code-binary.js';
import { FAKE_USAGE, type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { executeOnce, runWithEvents, tempKeys } from './helpers/governed.js';

// The real Claude Code CLI (the `@anthropic-ai/claude-code` devDependency, pinned) run by a
// governed `vendor` run inside real bubblewrap, against a fake Anthropic Messages API on
// 127.0.0.1 reached only through Baton's egress proxy. The fixtures in vendor-agents.test.ts
// replay recorded transcripts; this checks those transcripts against the CLI itself.

const FAKE_KEY = 'sk-ant-api03-fake-realvendor-7c1e9b';

const binary = claudeBinary();
const skipReason = 'skip' in binary ? ` (skipped: ${binary.skip})` : '';

describe.skipIf('skip' in binary)(`the real Claude Code CLI in the sandbox${skipReason}`, () => {
  let outside = '';
  let repo: TempRepo;
  let store: SqliteStore;
  let fake: FakeAnthropic;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeAll(async () => {
    outside = outsideTmpDir('baton-claude-real-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    chmodSync(outside, 0o755);
    chmodSync(repo.dir, 0o755);
    home = await tempKeys(outside);
    store = new SqliteStore(join(outside, 'baton.db'));
    fake = await startFakeAnthropic({
      apiKey: FAKE_KEY,
      fileName: 'hello.txt',
      fileText: 'hello from the real claude\n',
      finalText: 'Wrote hello.txt.',
    });
  });
  afterAll(async () => {
    await fake?.close();
    await store?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  /** One governed `vendor` run of the real CLI, its key released as a secret, the fake API allowlisted. */
  const run = async (apiKey: string) => {
    const bin = 'path' in binary ? dirname(binary.path) : '';
    const hostEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const started = await startVendorRun(store, {
      dir: repo.dir,
      agent: claudeCode({ model: 'claude-sonnet-4-5' }),
      task: 'Create hello.txt with a greeting.',
      keys: home.keys,
      batonHome: home.home,
      storePath: join(outside, 'baton.db'),
      hostEnv,
      allowHosts: [`127.0.0.1:${fake.port}`],
      secrets: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
      limits: { timeoutMs: 60_000 },
    });
    await executeOnce(store, started.runId, {
      ...hostEnv,
      ANTHROPIC_API_KEY: apiKey,
      ANTHROPIC_BASE_URL: fake.url,
    });
    return runWithEvents(store, started.runId);
  };

  it('runs headless through the egress proxy: assistant text, the Write call, usage and cost, the patch', async () => {
    fake.requests.length = 0;
    const { record, events } = await run(FAKE_KEY);
    expect(record?.error ?? null).toBeNull();
    expect(record?.status).toBe('succeeded');
    // Only the model was called (with the side calls it may make to a small model), each with
    // the released key, through the proxy: inside, 127.0.0.1:<port> is the sandbox's own loopback.
    const calls = fake.requests.filter((request) => request.path === '/v1/messages');
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(
      calls.map(() => 'POST /v1/messages'),
    );
    expect(calls.every((request) => request.keyMatched && request.stream)).toBe(true);
    expect(calls.filter((request) => request.turn !== 'other')).toMatchObject([
      { model: 'claude-sonnet-4-5', turn: 'tool' },
      { model: 'claude-sonnet-4-5', turn: 'text' },
    ]);

    // One message per model turn: the text and the tool call it streamed as two lines are one step.
    const messages = events.filter((event) => event.type === 'message.completed').map((event) => event.data);
    const write = {
      toolCallId: 'toolu_fake_write',
      name: 'Write',
      input: { file_path: 'hello.txt', content: 'hello from the real claude\n' },
    };
    expect(messages).toMatchObject([
      { role: 'assistant', text: 'Writing hello.txt.', toolCalls: [write], finishReason: 'tool_calls' },
      { role: 'assistant', text: 'Wrote hello.txt.', toolCalls: [], finishReason: 'stop' },
    ]);
    const types = events.map((event) => event.type);
    expect(types.indexOf('tool.started')).toBeGreaterThan(types.indexOf('message.completed'));
    expect(types.indexOf('tool.result')).toBeGreaterThan(types.indexOf('tool.started'));
    expect(events.find((event) => event.type === 'tool.started')?.data).toEqual(write);
    expect(events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
      toolCallId: 'toolu_fake_write',
      name: 'Write',
      ok: true,
      output: expect.stringContaining('File created successfully'),
    });

    // Usage and cost from the final result, counting every call it made (modelUsage).
    expect(record?.result).toMatchObject({ text: 'Wrote hello.txt.' });
    expect(record?.usage).toMatchObject({
      inputTokens: calls.length * FAKE_USAGE.input_tokens,
      outputTokens: calls.length * FAKE_USAGE.output_tokens,
    });
    expect(record?.usage?.costUsd).toBeGreaterThan(0);

    const patch = events.find((event) => event.type === 'workspace.patch')?.data as
      | { patchHash: string; files: number }
      | undefined;
    expect(patch?.files).toBe(1);
    const blob = await store.getBlob(patch?.patchHash ?? '');
    const diff = blob ? Buffer.from(blob).toString('utf8') : '';
    expect(diff).toContain('+++ b/hello.txt');
    expect(diff).toContain('+hello from the real claude');

    // The key reached the CLI (the server saw it) and no byte Baton wrote.
    await store.close();
    const written = filesUnder(outside).filter((file) => readFileSync(file).includes(FAKE_KEY));
    expect(written).toEqual([]);
    store = new SqliteStore(join(outside, 'baton.db'));
  });

  it('fails at once when the API refuses the released key, instead of retrying it for minutes', async () => {
    fake.requests.length = 0;
    const before = Date.now();
    const { record, events } = await run('sk-ant-api03-not-the-right-key');
    expect(record?.status).toBe('failed');
    expect(record?.error).toMatchObject({
      code: 'agent_failed',
      message: expect.stringContaining('HTTP 401'),
    });
    expect(fake.requests.some((request) => request.path === '/v1/messages' && !request.keyMatched)).toBe(
      true,
    );
    // Claude Code's own retries (10, with backoff) would take minutes.
    expect(Date.now() - before).toBeLessThan(30_000);
    expect(events.map((event) => event.type)).not.toContain('workspace.patch');
  });
});
