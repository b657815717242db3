import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, handoff, localFirst, targets } from '../src/handoff/index.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { claudeBinary, filesUnder } from './helpers/claude-code-binary.js';
import { type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// `agents.claudeCode()` through a whole hand-off: a plane (`baton serve`, its secrets file
// holding the fake key and base URL for pool `default`), a runner process with no database,
// the real Claude Code CLI in the runner's sandbox, the fake Anthropic API reached through the
// egress proxy. Slow (two Baton processes and the CLI): only with BATON_TORTURE=1.

const FAKE_KEY = 'sk-ant-api03-fake-handoff-3b8d0f';
const binary = claudeBinary();
const skipReason =
  process.env.BATON_TORTURE !== '1'
    ? ' (BATON_TORTURE=1 runs it)'
    : 'skip' in binary
      ? ` (skipped: ${binary.skip})`
      : '';

describe.runIf(process.env.BATON_TORTURE === '1' && 'path' in binary)(
  `a hand-off to the real Claude Code CLI on a runner${skipReason}`,
  () => {
    let outside = '';
    let repo: TempRepo;
    let planeHome = '';
    let plane: ServeProcess;
    let fake: FakeAnthropic;
    let runner: RunnerProcess | undefined;
    const runnerLog = () => runner?.stderr() ?? '';

    beforeAll(async () => {
      outside = outsideTmpDir('baton-claude-handoff-');
      repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
      chmodSync(outside, 0o755);
      chmodSync(repo.dir, 0o755);
      fake = await startFakeAnthropic({
        apiKey: FAKE_KEY,
        fileName: 'hello.txt',
        fileText: 'hello through the hand-off\n',
        finalText: 'Wrote hello.txt.',
      });
      planeHome = join(outside, 'plane');
      mkdirSync(planeHome);
      const secretsFile = join(outside, 'secrets.json');
      writeFileSync(
        secretsFile,
        JSON.stringify({
          ANTHROPIC_API_KEY: { value: FAKE_KEY, pools: ['default'] },
          ANTHROPIC_BASE_URL: { value: fake.url, pools: ['default'] },
        }),
      );
      // The plane builds the sandbox policy, so its PATH is the one the CLI must be on.
      const bin = 'path' in binary ? dirname(binary.path) : '';
      plane = await startServeProcess(
        ['--db', join(planeHome, 'baton.db'), '--port', '0', '--workers', '0', '--secrets-file', secretsFile],
        { env: { BATON_HOME: planeHome, PATH: `${bin}:${process.env.PATH ?? ''}` } },
      );
      runner = await startRunnerProcess(plane.url, join(outside, 'runner'));
    }, 120_000);

    afterAll(async () => {
      runner?.kill();
      plane?.child.kill('SIGTERM');
      await plane?.exited;
      await fake?.close();
      rmSync(outside, { recursive: true, force: true });
    });

    it('runs the CLI in the runner sandbox, records its stream, pulls its patch and writes the key nowhere', async () => {
      const sdk = handoff({
        workspace: repo.dir,
        plane: { url: plane.url },
        agent: agents.claudeCode({ model: 'claude-sonnet-4-5' }),
        policy: localFirst({
          allowPools: ['default'],
          allowSecrets: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
        }),
        secrets: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
        allowHosts: [`127.0.0.1:${fake.port}`],
      });
      const run = await sdk.continueIn(targets.pool('default'), {
        task: 'Create hello.txt with a greeting.',
      });
      expect(await run.wait({ timeoutMs: 120_000 }), `${runnerLog()}\n${plane.stderr()}`).toBe('succeeded');
      const pulled = await run.pull({ isolation: 'branch' });
      if (pulled.mode !== 'branch') throw new Error('a branch was asked for');
      expect(repo.git('show', `${pulled.branch}:hello.txt`)).toBe('hello through the hand-off');

      const events: { type: string; data: Record<string, unknown> }[] = [];
      for await (const event of run.stream()) events.push(event as (typeof events)[number]);
      expect(
        events.filter((event) => event.type === 'message.completed').map((event) => event.data),
      ).toMatchObject([
        { text: 'Writing hello.txt.', toolCalls: [{ name: 'Write' }], finishReason: 'tool_calls' },
        { text: 'Wrote hello.txt.', finishReason: 'stop' },
      ]);
      expect(events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
        name: 'Write',
        ok: true,
      });
      const receipt = await run.receipt();
      expect(receipt.contract.secrets.env).toEqual(['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL']);
      expect(receipt.contract.network).toEqual({ mode: 'allowlist', hosts: [`127.0.0.1:${fake.port}`] });
      expect(receipt.contract.sandbox?.limits.memoryBytes).toBe(4 * 1024 ** 3);
      expect(fake.requests.every((request) => request.keyMatched)).toBe(true);

      // Every byte the plane and the runner wrote, and what they logged: the key is in none.
      const written = filesUnder(outside).filter(
        (file) => !file.endsWith('secrets.json') && readFileSync(file).includes(FAKE_KEY),
      );
      expect(written).toEqual([]);
      expect(runnerLog().includes(FAKE_KEY) || plane.stderr().includes(FAKE_KEY)).toBe(false);
    }, 180_000);
  },
);
