import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import {
  describeAsOrdinaryUser,
  NOBODY,
  RUNNING_AS_ROOT,
  runCliAsOrdinaryUser,
} from './helpers/as-nobody.js';
import { createTempRepo } from './helpers/git-repo.js';

// `baton exec` and `baton pull` started as `nobody` (under root; else as this user) with only
// PATH in the environment (no HOME, as for a service user), on a repository outside /tmp that
// the user owns: the sandbox confines the command, and its patch comes back.
const ENV_SECRET = 'sk-nobody-env-secret-that-must-not-leak-5252';
const FILE_SECRET = 'nobody-readable-file-secret-6363';

/** Gives `dir` and everything in it to the ordinary user (under root; else it is theirs already). */
function handOver(dir: string): void {
  if (RUNNING_AS_ROOT) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
}

describeAsOrdinaryUser('baton exec as an ordinary user', () => {
  const dirs: string[] = [];
  let server: Server | undefined;
  afterEach(async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    const open = server;
    server = undefined;
    if (open) await new Promise((resolve) => open.close(resolve));
  });
  const scratch = (prefix: string) => {
    const dir = outsideTmpDir(prefix);
    dirs.push(dir);
    return dir;
  };

  it('confines writes, reads, network and environment of the command, and brings its patch back', async () => {
    const root = scratch('baton-nobody-exec-');
    const repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: root });
    const state = join(root, 'state');
    mkdirSync(state);
    // Both world-writable (outsideTmpDir), so that only the sandbox refuses: `readable` is shown
    // read-only (`--read`), `outside` not at all though its file is readable to the user.
    const readable = scratch('baton-nobody-readable-');
    writeFileSync(join(readable, 'listed.txt'), 'listed-marker\n', { mode: 0o644 });
    const outside = scratch('baton-nobody-outside-');
    const hostFile = join(outside, 'host-readable.txt');
    writeFileSync(hostFile, `${FILE_SECRET}\n`, { mode: 0o644 });
    handOver(root);
    // The user reads the file on the host: only the sandbox can keep it from the command.
    const hostRead = spawnSync('cat', [hostFile], {
      encoding: 'utf8',
      ...(RUNNING_AS_ROOT && { uid: NOBODY, gid: NOBODY }),
    });
    expect(hostRead.stdout).toContain(FILE_SECRET);

    let accepted = 0;
    server = createServer((socket) => socket.end('hello\n'));
    server.on('connection', () => {
      accepted += 1;
    });
    const port = await listenOnLoopback(server);
    const connect = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(7))`;
    // Each observation lands in a file of the checkout, so it comes back in the patch.
    const script = [
      'echo two >> a.txt',
      'id -u > seen-uid.txt',
      'env > seen-env.txt',
      `cat ${hostFile} > seen-read.txt 2>&1; echo "cat exit $?" >> seen-read.txt`,
      `cat ${join(readable, 'listed.txt')} > seen-listed.txt`,
      `echo escaped > ${join(readable, 'escaped.txt')} 2> seen-write.txt; echo "write exit $?" >> seen-write.txt`,
      `echo escaped > ${join(outside, 'escaped.txt')} 2>> seen-write.txt; echo "outside exit $?" >> seen-write.txt`,
      `echo direct > ${join(repo.dir, 'direct.txt')} 2>> seen-write.txt; echo "direct exit $?" >> seen-write.txt`,
      `${JSON.stringify(process.execPath)} -e "${connect}"; echo "connect exit $?" > seen-net.txt`,
    ].join('; ');
    const db = join(state, 'baton.db');
    const env = { BATON_NOBODY_SECRET: ENV_SECRET };
    const exec = await runCliAsOrdinaryUser(
      ['exec', '--json', '--db', db, '--read', readable, '--', 'sh', '-c', script],
      {
        cwd: repo.dir,
        env,
      },
    );
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    const output = JSON.parse(exec.stdout) as { runId: string; status: string; patch: { files: number } };
    expect(output).toMatchObject({ status: 'succeeded', patch: { files: 7 } });
    // The run changed nothing of the host: not the repository, not the world-writable directory.
    // (Root's git reads the user's repository only when told it is safe.)
    expect(repo.git('-c', 'safe.directory=*', 'status', '--porcelain', '--untracked-files=all')).toBe('');
    for (const dir of [readable, outside]) expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
    expect(accepted).toBe(0);

    const pulled = await runCliAsOrdinaryUser(['pull', output.runId, '--json', '--db', db], {
      cwd: repo.dir,
      env,
    });
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain('patch: 7 file(s)');
    expect(JSON.parse(pulled.stdout)).toMatchObject({ mode: 'applied', runId: output.runId });
    const seen = (name: string) => readFileSync(join(repo.dir, name), 'utf8');
    expect(seen('a.txt')).toBe('one\ntwo\n');
    expect(seen('seen-uid.txt').trim()).toBe(String(RUNNING_AS_ROOT ? NOBODY : process.getuid?.()));
    expect(seen('seen-env.txt')).toContain('PATH=');
    expect(seen('seen-env.txt')).not.toContain(ENV_SECRET);
    expect(seen('seen-read.txt')).not.toContain(FILE_SECRET);
    expect(seen('seen-read.txt')).not.toContain('cat exit 0');
    expect(seen('seen-listed.txt')).toBe('listed-marker\n');
    expect(seen('seen-write.txt')).not.toMatch(/(write|outside|direct) exit 0/);
    expect(seen('seen-net.txt').trim()).toBe('connect exit 7');
    // The write to the repository's own path went nowhere: not into the host repository, not into the patch.
    expect(existsSync(join(repo.dir, 'direct.txt'))).toBe(false);
  }, 120_000);

  it('runs under hard limits lower than the sandbox defaults, at those limits', async () => {
    const root = scratch('baton-nobody-limits-');
    const repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: root });
    mkdirSync(join(root, 'state'));
    handOver(root);
    // Below the default of 1024 open files: the user cannot raise it, so the sandbox keeps 512.
    const ran = await runCliAsOrdinaryUser(
      ['exec', '--db', join(root, 'state', 'baton.db'), '--', 'sh', '-c', 'ulimit -Hn; ulimit -n'],
      { cwd: repo.dir, prefix: ['prlimit', '--nofile=512:512', '--'] },
    );
    expect(ran.stderr).toContain('succeeded');
    expect(ran.stdout).toBe('512\n512\n');
  }, 120_000);

  it.skipIf(!RUNNING_AS_ROOT)(
    "names git's ownership check on another user's repository, and runs once the repository is marked safe",
    async () => {
      const root = scratch('baton-nobody-owner-');
      // Root's repository, readable by everyone; the state directory is the ordinary user's.
      const repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: root });
      chmodSync(repo.dir, 0o755);
      const state = join(root, 'state');
      mkdirSync(state);
      handOver(state);
      const args = ['exec', '--db', join(state, 'baton.db'), '--', 'sh', '-c', 'echo two >> a.txt'];
      const refused = await runCliAsOrdinaryUser(args, { cwd: repo.dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`git refuses the repository at ${repo.dir}: another user owns it`);
      expect(refused.stderr).toContain('GIT_CONFIG_KEY_0=safe.directory');
      // The remedy the message gives, for a user without a HOME.
      const safe = {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'safe.directory',
        GIT_CONFIG_VALUE_0: repo.dir,
      };
      const ran = await runCliAsOrdinaryUser([...args.slice(0, 3), '--json', ...args.slice(3)], {
        cwd: repo.dir,
        env: safe,
      });
      expect(ran.code).toBe(0);
      expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'succeeded', patch: { files: 1 } });
    },
    120_000,
  );
});
