import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVendorRun } from '../src/governed/vendor/start-vendor.js';
import { claudeCode, codex, opencode, type VendorAgent } from '../src/governed/vendor/vendor-agent.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import type { VendorOutcome } from './fixtures/sandbox-scenarios.js';
import { describeAsOrdinaryUser, runScenarioAsOrdinaryUser } from './helpers/as-nobody.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { executeOnce, runWithEvents, tempKeys } from './helpers/governed.js';

// A newline and quotes, as a PEM or JSON key has: JSON escapes them, so masking a record's JSON
// text would miss the value.
const SECRET = 'vendor-secret-"value"\n-9f3a2c';
const FIXTURE = join(import.meta.dirname, 'fixtures/vendor-cli/replay.mjs');

// Vendor CLIs replaced by a replay of recorded transcripts in each vendor's stream format,
// run for real inside bubblewrap on a restored checkout, on a real SQLite store.
describe('vendor coding agents as governed runs', () => {
  let outside = '';
  let bin = '';
  let repo: TempRepo;
  let store: SqliteStore;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  beforeAll(async () => {
    outside = outsideTmpDir('baton-vendor-');
    bin = join(outside, 'vendor-bin');
    mkdirSync(bin);
    copyFileSync(FIXTURE, join(bin, 'replay.mjs'));
    for (const vendor of ['claude', 'codex', 'opencode']) {
      writeFileSync(join(bin, vendor), `#!/bin/sh\nexec node ${join(bin, 'replay.mjs')} ${vendor} "$@"\n`);
      chmodSync(join(bin, vendor), 0o755);
    }
    chmodSync(outside, 0o755);
    chmodSync(bin, 0o755);
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    chmodSync(repo.dir, 0o755);
    home = await tempKeys(outside);
    store = new SqliteStore(join(outside, 'baton.db'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const run = async (
    agent: VendorAgent,
    scenario: string,
    options: { path?: string; maxCostUsd?: number; secrets?: string[] } = {},
  ) => {
    const hostEnv = { ...process.env, PATH: options.path ?? `${bin}:${process.env.PATH ?? ''}` };
    const started = await startVendorRun(store, {
      dir: repo.dir,
      agent,
      task: `add a greeting scenario=${scenario}`,
      keys: home.keys,
      batonHome: home.home,
      hostEnv,
      ...(options.maxCostUsd !== undefined && { maxCostUsd: options.maxCostUsd }),
      ...(options.secrets && { secrets: options.secrets }),
    });
    await executeOnce(store, started.runId, { ...hostEnv, VENDOR_TEST_KEY: SECRET });
    const { record, events } = await runWithEvents(store, started.runId);
    const patch = events.find((event) => event.type === 'workspace.patch')?.data as
      | { files: number }
      | undefined;
    return { record, events, patch, types: events.map((event) => event.type) };
  };

  it('turns a Claude Code success into assistant messages, a patch and the reported cost', async () => {
    const { record, events, patch } = await run(claudeCode({ model: 'claude-sonnet' }), 'success');
    expect(record?.status).toBe('succeeded');
    expect(record?.result).toMatchObject({ text: 'Wrote hello.txt.' });
    expect(record?.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, costUsd: 0.0123 });
    expect(events.find((event) => event.type === 'message.completed')?.data).toMatchObject({
      text: 'Wrote hello.txt.',
      toolCalls: [],
    });
    expect(patch?.files).toBe(1);
  });

  it("maps Claude Code's tool calls to tool.started / tool.result and scrubs released secrets", async () => {
    const { record, events, types } = await run(claudeCode(), 'tool-use', { secrets: ['VENDOR_TEST_KEY'] });
    expect(record?.status).toBe('succeeded');
    expect(types.filter((type) => type === 'tool.started')).toHaveLength(2);
    // The text and the Bash call of msg_1 came as two lines: one message, one step.
    expect(
      events.filter((event) => event.type === 'message.completed').map((event) => event.data),
    ).toMatchObject([
      { text: 'Let me look.', toolCalls: [{ name: 'Bash' }], finishReason: 'tool_calls' },
      { text: '', toolCalls: [{ name: 'Read' }], finishReason: 'tool_calls' },
      { text: 'Done.', toolCalls: [], finishReason: 'stop' },
    ]);
    // Tokens of every model in modelUsage, as total_cost_usd pays for them all.
    expect(record?.usage).toMatchObject({ inputTokens: 120, outputTokens: 20, costUsd: 0.02 });
    const results = events.filter((event) => event.type === 'tool.result').map((event) => event.data);
    expect(results).toMatchObject([
      { toolCallId: 'toolu_1', name: 'Bash', ok: true, output: 'a.txt key=[secret VENDOR_TEST_KEY]' },
      { toolCallId: 'toolu_2', name: 'Read', ok: false, error: { code: 'tool_error' } },
    ]);
    expect(JSON.stringify(record?.result)).toContain('Done. The listing said key=[secret VENDOR_TEST_KEY]');
    await store.close();
    expect(readFileSync(join(outside, 'baton.db')).includes(SECRET)).toBe(false);
    store = new SqliteStore(join(outside, 'baton.db'));
  });

  it('fails a Claude Code run that hit its turn limit with max_steps, and one that errored with agent_failed', async () => {
    expect((await run(claudeCode(), 'max-turns')).record?.error).toMatchObject({ code: 'max_steps' });
    expect((await run(claudeCode(), 'error')).record?.error).toEqual({
      code: 'agent_failed',
      message: 'API Error: 401 invalid x-api-key',
    });
  });

  it('fails a Claude Code run whose key the API refuses at its first retry, without waiting out the retries', async () => {
    const started = Date.now();
    const { record, types } = await run(claudeCode(), 'refused-key');
    expect(record?.error).toMatchObject({
      code: 'agent_failed',
      message: expect.stringContaining('HTTP 401'),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(types).not.toContain('workspace.patch');
  });

  it("runs Codex's exec --json stream: commands as tools, usage from turn.completed, failures typed", async () => {
    const { record, events, patch } = await run(codex({ model: 'gpt-5-codex' }), 'success');
    expect(record?.status).toBe('succeeded');
    expect(record?.usage).toMatchObject({ inputTokens: 100, outputTokens: 20 });
    expect(events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
      name: 'command_execution',
      ok: true,
    });
    expect(patch?.files).toBe(1);
    expect((await run(codex(), 'error')).record?.error).toMatchObject({
      code: 'agent_failed',
      message: 'stream disconnected before completion',
    });
  });

  it("runs OpenCode's JSON stream and adds up its per-step tokens and cost", async () => {
    const { record, types } = await run(opencode(), 'success');
    expect(record?.status).toBe('succeeded');
    expect(record?.result).toMatchObject({ text: 'Wrote hello.txt.' });
    expect(record?.usage?.costUsd).toBeCloseTo(0.003);
    expect(types).toContain('tool.started');
  });

  it('kills an agent whose reported spending passes the budget, before it changes anything more', async () => {
    const { record, patch } = await run(opencode(), 'over-budget', { maxCostUsd: 1 });
    expect(record?.status).toBe('failed');
    expect(record?.error?.code).toBe('max_cost');
    expect(patch).toBeUndefined();
  });

  it('fails with agent_unavailable when the vendor CLI is not installed', async () => {
    const { record, types } = await run(claudeCode(), 'success', { path: '/usr/bin:/bin' });
    expect(record?.error?.code).toBe('agent_unavailable');
    expect(types).not.toContain('message.completed');
  });
});

// The same replayed vendor CLI, with Baton run by `nobody` (under root; else by this user).
describeAsOrdinaryUser('vendor coding agents as governed runs, as an ordinary user', () => {
  it('brings the patch back and scrubs released secrets', async () => {
    const root = outsideTmpDir('baton-vendor-nobody-');
    try {
      const outcome = (await runScenarioAsOrdinaryUser('vendorAgentRun', root)) as VendorOutcome;
      expect(outcome).toMatchObject({ success: 'succeeded', patchFiles: 1, toolUse: 'succeeded' });
      expect(outcome.toolOutputs).toMatchObject([
        { name: 'Bash', ok: true, output: 'a.txt key=[secret VENDOR_TEST_KEY]' },
        { name: 'Read', ok: false },
      ]);
      expect(outcome.storeHoldsSecret).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
