import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_LIMITS } from '../workspace/sandbox/limits.js';
import { buildSandboxPolicy, type SandboxPolicyOptions } from '../workspace/sandbox/policy.js';
import type { Sandbox, SandboxCommand, SandboxResult } from '../workspace/sandbox/types.js';
import { listenOnLoopback } from './listen-on-loopback.js';
import { outsideTmpDir } from './outside-tmp.js';
import { waitFor } from './wait-for.js';

const SECRET_TEXT = 'contract-secret-value-that-must-stay-hidden\n';

/** True while some process's command line contains `marker` (host view of every PID namespace). */
function processWithMarkerExists(marker: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) return true;
    } catch {
      // The process exited while we looked.
    }
  }
  return false;
}

/** Waits until no process carries `marker`; killed processes may take a moment to be reaped. */
function waitUntilGone(marker: string): Promise<boolean> {
  return waitFor(() => !processWithMarkerExists(marker), {
    timeoutMs: 5_000,
    intervalMs: 50,
    message: `no process running ${marker}`,
  });
}

/**
 * Registers the sandbox contract suite for one implementation. Every sandbox passes the
 * basic part (exit codes, output caps, timeouts, scrubbed environment); sandboxes that report
 * `isolated` also prove that writes outside the workspace, network connections and escaped
 * descendants are stopped.
 */
export function sandboxContract(name: string, factory: () => Sandbox): void {
  describe(`${name} sandbox contract`, () => {
    let workspace = '';
    // A directory the host user may write to, which the sandboxed command must not.
    let outside = '';
    let sandbox: Sandbox;
    beforeEach(() => {
      workspace = mkdtempSync(join(tmpdir(), 'baton-sandbox-ws-'));
      outside = mkdtempSync(join(tmpdir(), 'baton-sandbox-outside-'));
      sandbox = factory();
    });
    afterEach(() => {
      rmSync(workspace, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });
    const run = (
      command: SandboxCommand['command'],
      extra: Partial<SandboxCommand> = {},
    ): Promise<SandboxResult> =>
      sandbox.exec({ cwd: workspace, command, timeoutMs: 20_000, maxOutputBytes: 65_536, ...extra });

    it('reports the exit code, stdout and stderr of a command', async () => {
      const result = await run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(result).toMatchObject({
        exitCode: 3,
        signal: null,
        timedOut: false,
        stdout: 'out\n',
        stderr: 'err\n',
        truncated: false,
      });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('runs in the workspace, which is writable, with HOME a private empty directory outside it', async () => {
      const result = await run(
        'echo made > made.txt && pwd && echo "$HOME" && ls -A "$HOME" && touch "$HOME/cache"',
      );
      expect(result.exitCode).toBe(0);
      expect(readFileSync(join(workspace, 'made.txt'), 'utf8')).toBe('made\n');
      const [cwd, home, ...listing] = result.stdout.trim().split('\n');
      expect(cwd).not.toBe(home);
      expect(home?.startsWith(`${cwd}/`)).toBe(false);
      expect(listing).toEqual([]);
      expect(readdirSync(workspace)).toEqual(['made.txt']);
    });

    it('refuses a 2 GiB allocation under the default memory limit', async () => {
      const result = await run([
        process.execPath,
        '-e',
        'Buffer.alloc(2 * 1024 ** 3, 1); console.log("allocated")',
      ]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).not.toContain('allocated');
    });

    it('keeps only the tail of output beyond maxOutputBytes', async () => {
      const result = await run(
        ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'],
        {
          maxOutputBytes: 100,
        },
      );
      expect(result.truncated).toBe(true);
      expect(Buffer.byteLength(result.stdout)).toBe(100);
      expect(result.stdout.endsWith('line-1999\n')).toBe(true);
    });

    it('does not pass environment secrets, only allowlisted and explicit variables', async () => {
      const hostEnv = {
        PATH: '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        CONTRACT_API_KEY: 'secret-value-that-must-not-leak',
      };
      const result = await run(['env'], { env: { GIVEN: 'explicit-value' }, hostEnv });
      expect(result.stdout).not.toContain('secret-value-that-must-not-leak');
      expect(result.stdout).toContain('GIVEN=explicit-value');
      expect(result.stdout).toContain('PATH=/usr/bin:/bin');
      expect(result.stdout).toContain('LANG=C.UTF-8');
    });

    it('kills a sleeping command and its children at the timeout', async () => {
      const marker = `4242.${process.pid}${Date.now() % 100_000}`;
      const result = await run(['sh', '-c', `sleep ${marker} & sleep ${marker}1`], { timeoutMs: 300 });
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).toBeNull();
      expect(await waitUntilGone(marker)).toBe(true);
    });

    it('fails a command that does not exist without hanging', async () => {
      const result = await run(['baton-no-such-command-anywhere']);
      expect(result.exitCode).not.toBe(0);
    });

    describe.runIf(factory().isolated)('isolation', () => {
      it('fails a write outside the workspace', async () => {
        const target = join(outside, 'escaped.txt');
        const result = await run(['sh', '-c', `echo escaped > ${target}`]);
        expect(result.exitCode).not.toBe(0);
        expect(existsSync(target)).toBe(false);
      });

      it('gives the command a private /tmp', async () => {
        const marker = `baton-private-tmp-${process.pid}-${Date.now()}`;
        const result = await run(['sh', '-c', `echo x > /tmp/${marker} && ls /tmp`]);
        expect(result.exitCode).toBe(0);
        expect(existsSync(join('/tmp', marker))).toBe(false);
      });

      it('fails a connection to a server on 127.0.0.1', async () => {
        const server = createServer((socket) => socket.end('hello\n'));
        let accepted = 0;
        server.on('connection', () => {
          accepted += 1;
        });
        const port = await listenOnLoopback(server);
        try {
          const script = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(7))`;
          const result = await run([process.execPath, '-e', script]);
          expect(result.exitCode).toBe(7);
          expect(accepted).toBe(0);
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      });

      it('kills descendants that started their own session at the timeout', async () => {
        const marker = `4343.${process.pid}${Date.now() % 100_000}`;
        const result = await run(['sh', '-c', `setsid sleep ${marker} > /dev/null 2>&1 & sleep ${marker}1`], {
          timeoutMs: 300,
        });
        expect(result.timedOut).toBe(true);
        expect(await waitUntilGone(marker)).toBe(true);
      });

      describe('outside /tmp', () => {
        // Real paths outside the sandbox's private /tmp: hiding must be what keeps them unreadable.
        let secretRoot = '';
        beforeEach(() => {
          secretRoot = outsideTmpDir('baton-contract-');
          mkdirSync(join(secretRoot, 'secret'));
          writeFileSync(join(secretRoot, 'secret', 'key.txt'), SECRET_TEXT);
          writeFileSync(join(secretRoot, 'public.txt'), 'public\n');
        });
        afterEach(() => rmSync(secretRoot, { recursive: true, force: true }));
        const withPolicy = async (options: SandboxPolicyOptions, command: string) =>
          run(command, { policy: await buildSandboxPolicy({ sandbox: 'bwrap', ...options }) });

        it('cannot read a secret at a real path outside /tmp that its view does not include', async () => {
          const result = await run(`cat ${join(secretRoot, 'secret', 'key.txt')}; ls ${secretRoot}; true`);
          expect(result.stdout).not.toContain(SECRET_TEXT.trim());
          expect(result.stdout).not.toContain('public.txt');
        });

        it('hides a path inside a readable one, by its real path, also when named through a symlink', async () => {
          const link = join(secretRoot, 'link-to-secret');
          symlinkSync(join(secretRoot, 'secret'), link);
          const result = await withPolicy(
            { read: [secretRoot], hide: [link] },
            `cat ${join(secretRoot, 'public.txt')}; cat ${join(secretRoot, 'secret', 'key.txt')}; cat ${join(link, 'key.txt')}; ls -A ${join(secretRoot, 'secret')}; true`,
          );
          expect(result.stdout).toContain('public');
          expect(result.stdout).not.toContain(SECRET_TEXT.trim());
          expect(result.stdout).not.toContain('key.txt');
        });
      });

      it('gives the command no privilege: no capabilities, no_new_privs, and mount, umount, unshare, chroot fail', async () => {
        const result = await run(
          [
            'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs):" /proc/self/status',
            'mount -o remount,rw /usr 2>/dev/null && echo MOUNTED',
            'mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED',
            'umount -l /tmp 2>/dev/null && echo UNMOUNTED',
            'unshare -U -m true 2>/dev/null && echo UNSHARED',
            'unshare -m true 2>/dev/null && echo UNSHARED',
            'chroot / true 2>/dev/null && echo CHROOTED',
            'true',
          ].join('; '),
        );
        expect(result.stdout).toContain('CapEff:\t0000000000000000');
        expect(result.stdout).toContain('CapPrm:\t0000000000000000');
        expect(result.stdout).toContain('NoNewPrivs:\t1');
        for (const word of ['MOUNTED', 'UNMOUNTED', 'UNSHARED', 'CHROOTED'])
          expect(result.stdout).not.toContain(word);
      });

      it('gives the private /tmp a size by default', async () => {
        const result = await run('df -k /tmp | tail -n 1');
        const sizeKib = Number(result.stdout.trim().split(/\s+/)[1]);
        expect(sizeKib * 1024).toBe(DEFAULT_SANDBOX_LIMITS.tmpBytes);
      });

      it('limits the size of the private /tmp', async () => {
        const policy = await buildSandboxPolicy({ limits: { tmpBytes: 1024 * 1024 } });
        const result = await run('head -c 3000000 /dev/zero > /tmp/fill; wc -c < /tmp/fill', { policy });
        expect(Number(result.stdout.trim())).toBeLessThanOrEqual(1024 * 1024);
      });

      it('limits the number of processes', async () => {
        const policy = await buildSandboxPolicy({ limits: { processes: 40 } });
        const result = await run('i=0; while [ $i -lt 80 ]; do sleep 3 & i=$((i+1)); done; echo spawned', {
          policy,
          timeoutMs: 2000,
        });
        expect(result.stderr).toMatch(/fork|Resource temporarily unavailable|Cannot allocate/i);
      });
    });
  });
}
