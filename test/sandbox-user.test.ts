import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';

// Runs as `nobody` when the suite runs as root, otherwise as the current (ordinary) user.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Runs a module snippet in a fresh Node process as an ordinary user and parses its JSON output. */
async function runAsOrdinaryUser(source: string): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await collectProcess(child);
  if (result.code !== 0) throw new Error(`probe exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('the bwrap sandbox as an ordinary user', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function sharedDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    // World-writable, so that a refused write outside the workspace is the sandbox's doing, not permissions'.
    chmodSync(dir, 0o777);
    return dir;
  }

  it('confines writes, network and timeouts for a non-root user', async () => {
    const workspace = sharedDir('baton-user-ws-');
    const outside = sharedDir('baton-user-outside-');
    const module = join(REPO_ROOT, 'src/workspace/sandbox/sandbox-exec.ts');
    const source = `
      import { sandboxExec } from ${JSON.stringify(module)};
      const base = { cwd: ${JSON.stringify(workspace)}, timeoutMs: 10000, maxOutputBytes: 4096 };
      const who = await sandboxExec({ ...base, command: ['id', '-u'] });
      const inside = await sandboxExec({ ...base, command: 'echo ok > inside.txt' });
      const outside = await sandboxExec({ ...base, command: 'echo no > ${join(outside, 'escaped.txt')}' });
      const network = await sandboxExec({ ...base, command: [process.execPath, '-e', "require('net').connect(9, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(7))"] });
      const slow = await sandboxExec({ ...base, command: ['sleep', '30'], timeoutMs: 200 });
      console.log(JSON.stringify({ who, inside, outside, network, slow }));
    `;
    const results = (await runAsOrdinaryUser(source)) as Record<
      string,
      { exitCode: number | null; stdout: string; timedOut: boolean }
    >;
    expect(results.who?.stdout.trim()).toBe(String(asRoot ? NOBODY : process.getuid?.()));
    expect(results.inside?.exitCode).toBe(0);
    expect(existsSync(join(workspace, 'inside.txt'))).toBe(true);
    expect(results.outside?.exitCode).not.toBe(0);
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    expect(results.network?.exitCode).toBe(7);
    expect(results.slow?.timedOut).toBe(true);
  });
});
