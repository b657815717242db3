import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cliCommand, collectProcess, REPO_ROOT } from './helpers/cli.js';

// A uid with no passwd entry (as in a container started with `--user 54321`): os.userInfo()
// throws for it, and Baton must run anyway, naming the caller `uid54321`.
const UID = 54_321;
const dir = mkdtempSync(join(tmpdir(), 'baton-no-passwd-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.runIf(process.getuid?.() === 0)('runs an agent for a uid without a passwd entry', async () => {
  const { command, args } = cliCommand([
    'run',
    resolve('test', 'fixtures', 'agents', 'three-lookups.ts'),
    'go',
    '--json',
    '--db',
    join(dir, 'baton.db'),
  ]);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    uid: UID,
    gid: UID,
    env: { ...process.env, HOME: dir, BATON_HOME: join(dir, 'home') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await collectProcess(child);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
});
