import { spawn } from 'node:child_process';
import { collectProcess, REPO_ROOT } from './cli.js';

/** `nobody`: the ordinary user the sandbox tests run as when the suite runs as root. */
export const NOBODY = 65534;

/** True when the suite runs as root (so "as an ordinary user" means as `nobody`). */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

/**
 * Runs `source` (an ES module snippet that prints one JSON value) in a fresh Node process as an
 * ordinary user: `nobody` under root, else the current user. Only PATH and HOME pass.
 */
export async function runAsOrdinaryUser(source: string, env: Record<string, string> = {}): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/var/tmp', ...env },
    ...(RUNNING_AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await collectProcess(child, 120_000);
  if (result.code !== 0) throw new Error(`probe exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
}

/** Runs one of test/fixtures/sandbox-scenarios.ts's scenarios as an ordinary user. */
export function runScenarioAsOrdinaryUser(name: string, root: string): Promise<unknown> {
  const module = new URL('../fixtures/sandbox-scenarios.ts', import.meta.url).pathname;
  return runAsOrdinaryUser(
    `import { SCENARIOS } from ${JSON.stringify(module)};
     console.log(JSON.stringify(await SCENARIOS[${JSON.stringify(name)}](${JSON.stringify(root)})));`,
  );
}
