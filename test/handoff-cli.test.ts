import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoff, localFirst, targets } from '../src/handoff/index.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// `baton handoff` end to end: one plane (`baton serve` on a real SQLite file, with a secrets
// file) and one runner process of pool `default` with its own Baton home and no database.

const ENV_VALUE = 'dotenv-cli-91c4-stays-on-the-laptop';
const SECRET_VALUE = 'secrets-file-value-5d2e-never-written';
const _LONG = { timeoutMs: 90_000, intervalMs: 100 };

describe('baton handoff', () => {
  let outside = '';
  let repo: TempRepo;
  let planeHome = '';
  let db = '';
  let plane: ServeProcess;
  let runner: RunnerProcess | undefined;
  const runnerLog = () => runner?.stderr() ?? '';
  let vendorBin = '';

  beforeAll(async () => {
    outside = outsideTmpDir('baton-handoff-cli-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    repo.write('a.txt', 'one, dirty\n');
    repo.write('notes.md', 'allowlisted\n');
    repo.write('.env', `TOKEN=${ENV_VALUE}\n`);
    planeHome = join(outside, 'plane');
    mkdirSync(planeHome);
    // A stand-in Claude Code on the PATH the plane builds sandbox policies from (the runners').
    vendorBin = join(outside, 'vendor-bin');
    mkdirSync(vendorBin);
    copyFileSync(join(import.meta.dirname, 'fixtures/vendor-cli/replay.mjs'), join(vendorBin, 'replay.mjs'));
    writeFileSync(
      join(vendorBin, 'claude'),
      `#!/bin/sh\nexec node ${join(vendorBin, 'replay.mjs')} claude "$@"\n`,
    );
    chmodSync(join(vendorBin, 'claude'), 0o755);
    chmodSync(outside, 0o755);
    db = join(planeHome, 'baton.db');
    const secretsFile = join(outside, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ API_TOKEN: { value: SECRET_VALUE, pools: ['default'] } }));
    plane = await startServeProcess(
      ['--db', db, '--port', '0', '--workers', '0', '--secrets-file', secretsFile],
      {
        env: { BATON_HOME: planeHome, PATH: `${vendorBin}:${process.env.PATH ?? ''}` },
      },
    );
  }, 60_000);

  afterAll(async () => {
    runner?.kill();
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    rmSync(outside, { recursive: true, force: true });
  });

  const handoffCli = (args: string[]) =>
    runCli(['handoff', ...args, '--plane', plane.url, '--allow-untracked', 'notes.md'], {
      cwd: repo.dir,
      env: { BATON_HOME: join(outside, 'laptop-home') },
    });

  const planeRunCount = async (): Promise<number> => {
    const store = new SqliteStore(db);
    try {
      const runs = await store.listRuns({ limit: 1000 });
      return runs.items.length;
    } finally {
      await store.close();
    }
  };

  it('--dry-run --json prints the disclosure report, exits 0 and queues nothing', async () => {
    const result = await handoffCli([
      'write it down',
      '--pool',
      'default',
      '--dry-run',
      '--json',
      '--secret',
      'API_TOKEN',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      decision: string;
      files: { path: string }[];
      denied: { path: string; reason: string }[];
      secrets: string[];
      pool: string;
    };
    expect(report.decision).toBe('deny');
    expect(report.files.map((file) => file.path)).toEqual(['a.txt', 'notes.md']);
    expect(report.denied).toContainEqual(expect.objectContaining({ path: '.env', reason: 'secret' }));
    expect(report.secrets).toEqual(['API_TOKEN']);
    expect(await planeRunCount()).toBe(0);

    const table = await handoffCli(['write it down', '--pool', 'default', '--dry-run']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^FILE +BYTES +SHA256 +WHY/m);
    expect(table.stdout).toMatch(/^\.env +secret/m);
  }, 120_000);

  it('denies a secret the default policy does not allow, with its reason, uploading nothing', async () => {
    const result = await handoffCli(['write it down', '--pool', 'default', '--secret', 'API_TOKEN']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secret API_TOKEN is not in allowSecrets/);
    expect(await planeRunCount()).toBe(0);
  }, 60_000);

  it('--wait --json runs the task on a runner and prints one { runId, status, receipt, patch }; --pull auto applies it', async () => {
    runner = await startRunnerProcess(plane.url, join(outside, 'runner'), ['--poll-interval', '100']);

    const result = await handoffCli([
      'write it down',
      '--pool',
      'default',
      '--wait',
      '--json',
      '--pull',
      'auto',
    ]);
    expect(result.code, `${result.stderr}\n${runnerLog()}`).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0] ?? '') as {
      runId: string;
      status: string;
      receipt: {
        receipt: { status: string; runner: { pool?: string } };
        contract: { pool: string; envelopeHash: string };
      };
      patch: { files: number };
    };
    expect(output).toMatchObject({ status: 'succeeded', patch: { files: 1 } });
    expect(output.receipt.receipt).toMatchObject({ status: 'succeeded', runner: { pool: 'default' } });
    expect(output.receipt.contract.pool).toBe('default');
    expect(result.stderr).toMatch(/baton: upload: \d+ blobs sent/);
    expect(result.stderr).toMatch(/baton: queued: run /);
    expect(result.stderr).toMatch(/baton: running/);
    expect(result.stderr).toMatch(/baton: pulling: auto/);
    expect(readFileSync(join(repo.dir, 'HANDOFF.md'), 'utf8')).toBe('write it down\n');

    // Every byte the plane wrote: neither the .env nor the secrets file's value is in it.
    const stored = Buffer.concat(
      readdirSync(planeHome)
        .filter((name) => name.startsWith('baton.db'))
        .map((name) => readFileSync(join(planeHome, name))),
    );
    expect(stored.includes(ENV_VALUE)).toBe(false);
    expect(stored.includes(SECRET_VALUE)).toBe(false);
  }, 180_000);

  it('a released secret reaches the sandboxed command and nowhere else the plane or the runner wrote', async () => {
    if (!runner) throw new Error('the previous test starts the runner');
    const sdk = handoff({
      workspace: repo.dir,
      plane: { url: plane.url },
      agent: {
        name: 'secret-probe',
        execution: () => ({
          kind: 'exec',
          command: [
            'sh',
            '-c',
            'printf %s "$API_TOKEN" | sha256sum | cut -c1-64 > token.sha256; echo "token: $API_TOKEN"',
          ],
        }),
      },
      policy: localFirst({ allowPools: ['default'], allowSecrets: ['API_TOKEN'] }),
      secrets: ['API_TOKEN'],
    });
    const run = await sdk.continueIn(targets.pool('default'), { task: 'use the token' });
    expect(await run.wait({ timeoutMs: 90_000 }), runnerLog()).toBe('succeeded');
    const pulled = await run.pull({ isolation: 'branch' });
    if (pulled.mode !== 'branch') throw new Error('a branch was asked for');
    const digest = createHash('sha256').update(SECRET_VALUE).digest('hex');
    expect(repo.git('show', `${pulled.branch}:token.sha256`)).toBe(digest);

    const events: { type: string; data: { outputTail?: string } }[] = [];
    for await (const event of run.stream()) events.push(event as (typeof events)[number]);
    const command = events.find((event) => event.type === 'sandbox.command');
    expect(command?.data.outputTail).toBe('token: [secret API_TOKEN]\n');
    const receipt = await run.receipt();
    expect(receipt.contract.secrets.env).toEqual(['API_TOKEN']);

    const stored = Buffer.concat(
      readdirSync(planeHome)
        .filter((name) => name.startsWith('baton.db'))
        .map((name) => readFileSync(join(planeHome, name))),
    );
    expect(stored.includes(SECRET_VALUE)).toBe(false);
    expect(JSON.stringify(receipt).includes(SECRET_VALUE)).toBe(false);
    expect(runnerLog().includes(SECRET_VALUE)).toBe(false);
    expect(plane.stderr().includes(SECRET_VALUE)).toBe(false);
  }, 180_000);

  it('--agent claude-code runs the vendor CLI headless in the runner sandbox; its stream becomes the run log', async () => {
    if (!runner) throw new Error('an earlier test starts the runner');
    const result = await handoffCli([
      'greet scenario=success',
      '--pool',
      'default',
      '--agent',
      'claude-code',
      '--wait',
      '--json',
    ]);
    expect(result.code, `${result.stderr}\n${runnerLog()}`).toBe(0);
    const output = JSON.parse(result.stdout) as { runId: string; status: string; patch: { files: number } };
    expect(output).toMatchObject({ status: 'succeeded', patch: { files: 1 } });
    const store = new SqliteStore(db);
    try {
      const run = await store.getRun(output.runId);
      expect(run?.kind).toBe('vendor');
      const events = await store.readEvents(run?.sessionId ?? '');
      expect(events.find((event) => event.type === 'message.completed')?.data).toMatchObject({
        text: 'Wrote hello.txt.',
      });
    } finally {
      await store.close();
    }
  }, 180_000);
});
