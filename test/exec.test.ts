import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';

const SECRET = 'sk-live-super-secret-value-1234';

describe('baton exec (governed runs)', () => {
  let repo: TempRepo;
  let home = '';
  let db = '';
  beforeEach(() => {
    repo = createTempRepo({ 'a.txt': 'one\n', 'src/lib.ts': 'export const x = 1;\n' });
    home = mkdtempSync(join(tmpdir(), 'baton-exec-home-'));
    db = join(home, 'baton.db');
  });
  afterEach(() => {
    repo.remove();
    rmSync(home, { recursive: true, force: true });
  });
  // `--db` goes right after the command name: everything after `--` belongs to the sandboxed command.
  const baton = (name: string, ...args: string[]) => runCli([name, '--db', db, ...args], { cwd: repo.dir });
  const status = () => repo.git('status', '--porcelain', '--untracked-files=all');

  it('runs the done-when scenario: exec, denied .env, verify, tamper, pull --branch', async () => {
    repo.write('a.txt', 'one\ntwo\n');
    repo.write('notes.md', 'allowlisted notes\n');
    repo.write('.env', `API_KEY=${SECRET}\n`);
    const before = status();

    const exec = await runCli(
      ['exec', '--allow-untracked', 'notes.md', '--json', '--db', db, '--', 'sh', '-c', 'echo hi > new.txt'],
      { cwd: repo.dir },
    );
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    const output = JSON.parse(exec.stdout) as {
      runId: string;
      status: string;
      exitCode: number;
      patch: { files: number; insertions: number; deletions: number };
      receipt: { contract: { secrets: { deniedPaths: string[] } } };
    };
    // The run's own change only: the dirty a.txt and the allowlisted notes.md were there before it.
    expect(output).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      patch: { files: 1, insertions: 1, deletions: 0 },
    });
    expect(output.receipt.contract.secrets.deniedPaths).toEqual(['.env']);
    expect(status()).toBe(before);

    // The .env is listed as denied and absent from every blob in the database.
    const database = new Database(db, { readonly: true });
    try {
      const captured = database
        .prepare("SELECT data FROM events WHERE type = 'workspace.captured'")
        .get() as { data: string };
      expect(JSON.parse(captured.data).denied).toContainEqual({ path: '.env', reason: 'secret' });
      const blobs = database.prepare('SELECT bytes FROM blobs').all() as { bytes: Buffer }[];
      expect(blobs.length).toBeGreaterThan(3);
      for (const blob of blobs) expect(blob.bytes.includes(SECRET)).toBe(false);
    } finally {
      database.close();
    }

    const receipt = await baton('receipt', output.runId);
    expect(receipt.code).toBe(0);
    expect(receipt.stdout).toBe(`${JSON.stringify(output.receipt)}\n`);
    const receiptFile = join(home, 'receipt.json');
    writeFileSync(receiptFile, receipt.stdout);
    const verified = await baton('verify', receiptFile);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('valid');

    const tampered = Buffer.from(readFileSync(receiptFile));
    const position = tampered.indexOf('"succeeded"') + 3;
    tampered[position] = (tampered[position] ?? 0) ^ 0x01;
    writeFileSync(receiptFile, tampered);
    const rejected = await baton('verify', receiptFile);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('invalid');

    const pulled = await baton('pull', output.runId, '--branch');
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain('patch: 1 file(s), +1 -0');
    const branch = `baton/${output.runId}`;
    expect(repo.git('show', `${branch}:new.txt`)).toBe('hi');
    expect(repo.git('show', `${branch}:a.txt`)).toBe('one\ntwo');
    expect(() => repo.git('show', `${branch}:.env`)).toThrow();
    // Two commits: the starting state (the uncommitted edits), then the run's change alone.
    expect(repo.git('diff', '--name-only', 'main', `${branch}^`)).toBe('a.txt\nnotes.md');
    expect(repo.git('log', '-1', '--format=%s', `${branch}^`)).toContain('your uncommitted changes');
    expect(repo.git('diff', '--name-only', `${branch}^`, branch)).toBe('new.txt');
    expect(repo.git('rev-parse', `${branch}~2`)).toBe(repo.git('rev-parse', 'main'));
    expect(status()).toBe(before);
  }, 180_000);

  it('applies the patch in place with baton pull when the tree is clean at the base ref', async () => {
    const exec = await baton('exec', '--json', '--', 'sh', '-c', 'echo two >> a.txt && echo hi > new.txt');
    expect(exec.code).toBe(0);
    const { runId } = JSON.parse(exec.stdout) as { runId: string };
    expect(status()).toBe('');

    const pulled = await baton('pull', runId, '--json');
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ mode: 'applied', runId });
    expect(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(join(repo.dir, 'new.txt'), 'utf8')).toBe('hi\n');
    expect(repo.git('branch', '--list', 'baton/*')).toBe('');
  }, 180_000);

  it('lets the command reach only the --allow-host hosts, and records them in the contract', async () => {
    const server = createServer((_req, res) => res.end('through-the-proxy\n'));
    const port = await listenOnLoopback(server);
    try {
      const script = `curl -fsS http://127.0.0.1:${port}/ > got.txt && ! curl -fsS http://localhost:${port}/`;
      const exec = await baton('exec', '--allow-host', '127.0.0.1', '--json', '--', 'sh', '-c', script);
      expect(exec.code).toBe(0);
      const output = JSON.parse(exec.stdout) as {
        status: string;
        receipt: { contract: { network: unknown } };
      };
      expect(output.status).toBe('succeeded');
      expect(output.receipt.contract.network).toEqual({ mode: 'allowlist', hosts: ['127.0.0.1'] });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);

  it('refuses --allow-host without the sandbox as not supported instead of opening the network', async () => {
    const exec = await baton('exec', '--allow-host', 'example.com', '--no-sandbox', '--', 'true');
    expect(exec.code).toBe(2);
    expect(exec.stderr).toContain('need the bwrap sandbox');
  });

  it('refuses with install instructions when bwrap is missing, before recording anything', async () => {
    const bin = join(home, 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'sh'])
      symlinkSync(
        execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        join(bin, tool),
      );
    const exec = await runCli(['exec', '--db', db, '--', 'true'], { cwd: repo.dir, env: { PATH: bin } });
    expect(exec.code).toBe(3);
    expect(exec.stderr).toContain('apt-get install bubblewrap');
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a directory that is not a git repository', async () => {
    const exec = await runCli(['exec', '--db', db, '--', 'true'], { cwd: home });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('not inside a git work tree');
  });
});
