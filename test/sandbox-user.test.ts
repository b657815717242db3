import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { describeAsOrdinaryUser, NOBODY, RUNNING_AS_ROOT, runAsOrdinaryUser } from './helpers/as-nobody.js';

// Runs as `nobody` when the suite runs as root, otherwise as the current (ordinary) user.
const asRoot = RUNNING_AS_ROOT;
const SECRET = 'user-probe-secret-value-that-must-not-leak';
const PRIVILEGE_PROBE = [
  'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status',
  'mount -o remount,rw /usr 2>/dev/null && echo MOUNTED',
  'umount -l /tmp 2>/dev/null && echo UNMOUNTED',
  'unshare -U -m true 2>/dev/null && echo UNSHARED',
  'chroot / true 2>/dev/null && echo CHROOTED',
  'true',
].join('; ');

/** Waits (generously, for loaded machines) until `pgrep` finds no process whose command line carries `marker`. */
function waitUntilGone(marker: string): Promise<boolean> {
  return waitFor(() => spawnSync('pgrep', ['-f', marker]).status === 1, {
    timeoutMs: 10_000,
    intervalMs: 50,
    message: `no process running ${marker}`,
  });
}

describeAsOrdinaryUser('the bwrap sandbox as an ordinary user', () => {
  const dirs: string[] = [];
  let server: Server | undefined;
  afterEach(async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    const open = server;
    server = undefined;
    if (open) await new Promise((resolve) => open.close(resolve));
  });

  // Outside /tmp (every sandbox has a private /tmp, where a path of the host's /tmp is simply
  // absent) and world-writable, so that a refused write is the sandbox's doing, not permissions'.
  function sharedDir(prefix: string): string {
    const dir = outsideTmpDir(prefix);
    dirs.push(dir);
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    return dir;
  }

  it('confines writes, reads, network, timeouts (setsid children included), secrets, privilege and limits for a non-root user', async () => {
    const workspace = sharedDir('baton-user-ws-');
    const outside = sharedDir('baton-user-outside-');
    // A file the ordinary user may read on the host (mode 0644 in a 0777 directory), outside every mount of the view.
    const hostFile = join(outside, 'host-readable.txt');
    writeFileSync(hostFile, `${SECRET}-on-disk\n`, { mode: 0o644 });
    let accepted = 0;
    server = createServer((socket) => socket.end('hello\n'));
    server.on('connection', () => {
      accepted += 1;
    });
    const port = await listenOnLoopback(server);
    const marker = `5151.${process.pid}${Date.now() % 100_000}`;
    const connect = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(7))`;
    const source = (root: string) => `
      import { sandboxExec } from ${JSON.stringify(join(root, 'src/workspace/sandbox/sandbox-exec.ts'))};
      const base = { cwd: ${JSON.stringify(workspace)}, timeoutMs: 20000, maxOutputBytes: 65536 };
      const who = await sandboxExec({ ...base, command: ['id', '-u'] });
      const inside = await sandboxExec({ ...base, command: 'echo ok > inside.txt' });
      const outside = await sandboxExec({ ...base, command: 'echo no > ${join(outside, 'escaped.txt')}' });
      const hostRead = await sandboxExec({ ...base, command: ['cat', ${JSON.stringify(hostFile)}] });
      const hostReadable = await import('node:fs').then((fs) => fs.readFileSync(${JSON.stringify(hostFile)}, 'utf8'));
      const network = await sandboxExec({ ...base, command: [process.execPath, '-e', ${JSON.stringify(connect)}] });
      const env = await sandboxExec({ ...base, command: ['env'] });
      const slow = await sandboxExec({ ...base, command: 'setsid sleep ${marker} > /dev/null 2>&1 & sleep ${marker}1', timeoutMs: 300 });
      const privilege = await sandboxExec({ ...base, command: ${JSON.stringify(PRIVILEGE_PROBE)} });
      const memory = await sandboxExec({ ...base, command: [process.execPath, '-e', 'Buffer.alloc(2 * 1024 ** 3, 1); console.log("allocated")'] });
      const { buildSandboxPolicy } = await import(${JSON.stringify(join(root, 'src/workspace/sandbox/policy.ts'))});
      const tmp = await sandboxExec({ ...base, policy: await buildSandboxPolicy({ limits: { tmpBytes: 1048576 } }), command: 'head -c 3000000 /dev/zero > /tmp/fill; wc -c < /tmp/fill' });
      const processes = await sandboxExec({ ...base, timeoutMs: 2000, policy: await buildSandboxPolicy({ limits: { processes: 40 } }), command: 'i=0; while [ $i -lt 80 ]; do sleep 3 & i=$((i+1)); done' });
      console.log(JSON.stringify({ who, inside, outside, hostRead, hostReadable, network, env, slow, privilege, memory, tmp, processes }));
    `;
    // The secret sits in the ordinary user's own environment: the sandbox must not pass it on.
    const results = (await runAsOrdinaryUser(source, { BATON_USER_PROBE_SECRET: SECRET })) as Record<
      string,
      { exitCode: number | null; stdout: string; timedOut: boolean }
    > & { hostReadable: string };
    expect(results.who?.stdout.trim()).toBe(String(asRoot ? NOBODY : process.getuid?.()));
    expect(results.inside?.exitCode).toBe(0);
    expect(existsSync(join(workspace, 'inside.txt'))).toBe(true);
    expect(results.outside?.exitCode).not.toBe(0);
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    // The user reads the file on the host; the same user's sandbox does not see it.
    expect(results.hostReadable).toContain(SECRET);
    expect(results.hostRead?.exitCode).not.toBe(0);
    expect(results.hostRead?.stdout).not.toContain(SECRET);
    expect(results.network?.exitCode).toBe(7);
    expect(accepted).toBe(0);
    expect(results.env?.exitCode).toBe(0);
    expect(results.env?.stdout).toContain('PATH=');
    expect(results.env?.stdout).not.toContain(SECRET);
    expect(results.slow?.timedOut).toBe(true);
    expect(await waitUntilGone(marker)).toBe(true);
    expect(results.privilege?.stdout).toContain('CapEff:\t0000000000000000');
    expect(results.privilege?.stdout).toContain('NoNewPrivs:\t1');
    for (const word of ['MOUNTED', 'UNMOUNTED', 'UNSHARED', 'CHROOTED'])
      expect(results.privilege?.stdout).not.toContain(word);
    expect(results.memory?.stdout).not.toContain('allocated');
    expect(Number(results.tmp?.stdout.trim())).toBeLessThanOrEqual(1048576);
    expect((results.processes as unknown as { stderr: string }).stderr).toMatch(
      /fork|Resource temporarily unavailable/i,
    );
  });

  it('reaches an allowed host through the egress proxy, and no other, as a non-root user', async () => {
    const workspace = sharedDir('baton-user-egress-');
    let served = 0;
    const http = createHttpServer((_request, response) => {
      served += 1;
      response.end('allowed-host-answer\n');
    });
    const port = await listenOnLoopback(http);
    try {
      const source = (root: string) => `
        import { sandboxExec } from ${JSON.stringify(join(root, 'src/workspace/sandbox/sandbox-exec.ts'))};
        const curl = (url, ...flags) => sandboxExec({
          cwd: ${JSON.stringify(workspace)}, allowHosts: ['127.0.0.1'], timeoutMs: 30000, maxOutputBytes: 65536,
          command: ['curl', '-sS', '--max-time', '20', ...flags, url],
        });
        const allowed = await curl('http://127.0.0.1:${port}/');
        const other = await curl('http://localhost:${port}/', '--proxytunnel');
        const direct = await curl('http://127.0.0.1:${port}/', '--noproxy', '*');
        console.log(JSON.stringify({ allowed, other, direct }));
      `;
      const results = (await runAsOrdinaryUser(source)) as Record<
        string,
        { exitCode: number; stdout: string; stderr: string }
      >;
      expect(results.allowed?.stdout).toBe('allowed-host-answer\n');
      expect(results.other?.exitCode).not.toBe(0);
      expect(results.other?.stderr).toContain('403');
      expect(results.direct?.exitCode).not.toBe(0);
      expect(served).toBe(1);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
