import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../src/core/errors.js';
import { createTreeCgroup } from '../src/workspace/sandbox/cgroup.js';
import { buildSandboxPolicy } from '../src/workspace/sandbox/policy.js';
import { sandboxExec } from '../src/workspace/sandbox/sandbox-exec.js';

describe('sandboxExec', () => {
  let workspace = '';
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'baton-sandbox-'));
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
  });
  const base = () => ({ cwd: workspace, timeoutMs: 10_000, maxOutputBytes: 4096 });

  it('refuses a non-empty allowHosts without the bwrap sandbox instead of opening the network', async () => {
    await expect(
      sandboxExec({ ...base(), command: ['true'], allowHosts: ['example.com'], sandbox: 'none' }),
    ).rejects.toMatchObject({
      code: 'not_supported',
    });
  });

  it('refuses with install instructions when bwrap is missing', async () => {
    const error = await sandboxExec({ ...base(), command: ['true'], bwrapPath: '/nonexistent/bwrap' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error).toMatchObject({ code: 'sandbox_unavailable' });
    expect((error as Error).message).toContain('apt-get install bubblewrap');
  });

  it('runs without bwrap only when the caller chose sandbox none', async () => {
    const result = await sandboxExec({
      ...base(),
      command: ['true'],
      sandbox: 'none',
      bwrapPath: '/nonexistent/bwrap',
    });
    expect(result.exitCode).toBe(0);
  });

  it('runs a string command through sh -c', async () => {
    const result = await sandboxExec({ ...base(), command: 'echo "$((6 * 7))"' });
    expect(result.stdout).toBe('42\n');
  });

  it('enforces the file-size limit through prlimit', async () => {
    const result = await sandboxExec({
      ...base(),
      command: ['sh', '-c', 'head -c 100000 /dev/zero > big.bin'],
      limits: { fileSizeBytes: 4096 },
    });
    expect(result.exitCode).not.toBe(0);
    expect(statSync(join(workspace, 'big.bin')).size).toBeLessThanOrEqual(4096);
  });

  it('rejects invalid caps and limits with a validation error', async () => {
    await expect(sandboxExec({ ...base(), command: ['true'], timeoutMs: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(sandboxExec({ ...base(), command: [] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      sandboxExec({ ...base(), command: ['true'], limits: { processes: -1 } }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      sandboxExec({ ...base(), cwd: join(workspace, 'missing'), command: ['true'] }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('stops the command and rejects when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sandboxExec({ ...base(), command: ['sleep', '30'], signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });

  describe.runIf(process.getuid?.() === 0)('as root', () => {
    it('kills a command tree whose processes together exceed the memory limit (memory cgroup)', async (context) => {
      const probe = await createTreeCgroup({ memoryBytes: 1 << 30, processes: 100 });
      if (!probe) context.skip();
      await probe?.remove();
      // Each process stays far below RLIMIT_AS; only a limit on the whole tree stops the three together.
      const grow = "import time; b = b'x' * (150 * 2**20); time.sleep(2)";
      const script = `pids=""; for i in 1 2 3; do /usr/bin/python3 -c "${grow}" & pids="$pids $!"; done; f=0; for p in $pids; do wait $p || f=$((f+1)); done; echo failed=$f`;
      const policy = await buildSandboxPolicy({ limits: { memoryBytes: 300 * 1024 * 1024 } });
      const result = await sandboxExec({ ...base(), timeoutMs: 30_000, command: script, policy });
      expect(result.stdout).toMatch(/failed=[1-3]/);
    });
  });
});
