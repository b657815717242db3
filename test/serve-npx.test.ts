import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT } from './helpers/cli.js';

const directories: string[] = [];

/** Processes whose command line contains `marker` (a test's own temp path). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

afterEach(() => {
  for (const directory of directories.splice(0)) {
    // Whatever a failed run of this test left serving is ended, by the pids it started.
    for (const pid of processesWith(directory)) process.kill(pid, 'SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  }
});

describe('baton serve under npx', () => {
  it('shuts down when npx is sent SIGTERM, though the shell between them passes no signal on', async () => {
    // A project with Baton installed, as npx finds it: node_modules/.bin/baton.
    const project = mkdtempSync(join(tmpdir(), 'baton-npx-'));
    directories.push(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'bin', 'baton.js'), join(project, 'node_modules', '.bin', 'baton'));
    const db = join(project, 'baton.db');
    const npx = spawn('npx', ['--no-install', 'baton', 'serve', '--port', '0', '--db', db], {
      cwd: project,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    npx.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    npx.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitFor(() => /Baton listening on (\S+)/.test(stdout), {
      timeoutMs: 60_000,
      intervalMs: 100,
      message: () => `baton serve to listen under npx (stderr: ${stderr})`,
    });
    const url = /Baton listening on (\S+)/.exec(stdout)?.[1] ?? '';
    expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    // npx (npm) runs `sh -c baton ...`, which runs the server: three processes.
    expect(processesWith(db).length).toBeGreaterThanOrEqual(2);

    npx.kill('SIGTERM');

    await waitFor(() => processesWith(db).length === 0, {
      timeoutMs: 20_000,
      intervalMs: 100,
      message: () => `every process of the server to exit (stderr: ${stderr})`,
    });
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();
    expect(stderr).toContain('"msg":"stopped"');
  }, 90_000);
});
