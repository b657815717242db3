import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectProcess, REPO_ROOT, runCli } from './helpers/cli.js';
import { startServeProcess } from './helpers/serve-process.js';

const base = mkdtempSync(join(tmpdir(), 'baton-init-'));
// No model key reaches the scaffolded agent: it must answer with its scripted model.
const NO_KEYS = {
  OPENAI_API_KEY: '',
  ANTHROPIC_API_KEY: '',
  BATON_MODEL: '',
  npm_config_update_notifier: 'false',
};

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Newest modification time of the files under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * What `npm install` would leave, without the network: baton-runtime as the `file:` link to this
 * repository it names, zod from the repository's own node_modules, and `.bin/baton`.
 */
function linkNodeModules(project: string): void {
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO_ROOT, join(project, 'node_modules', 'baton-runtime'));
  symlinkSync(join(REPO_ROOT, 'node_modules', 'zod'), join(project, 'node_modules', 'zod'));
  symlinkSync(join(REPO_ROOT, 'bin', 'baton.js'), join(project, 'node_modules', '.bin', 'baton'));
}

describe('baton init', () => {
  const project = join(base, 'My Project');

  beforeAll(async () => {
    // The scaffolded agent imports baton-runtime, which is the repository's dist/: build it when stale.
    const built = join(REPO_ROOT, 'dist', 'index.js');
    if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(REPO_ROOT, 'src'))) {
      const build = await collectProcess(
        spawn('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
        300_000,
      );
      expect(build.code, build.stderr).toBe(0);
    }
    const init = await runCli(['init', project]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote agents/assistant/agent.ts');
    linkNodeModules(project);
  }, 360_000);

  it('writes an agent with a skill and a schedule, a channel stub, a README and a package.json on this install', () => {
    for (const file of [
      'README.md',
      'agents/assistant/agent.ts',
      'agents/assistant/skills/greeting/SKILL.md',
      'agents/assistant/schedules/morning.ts',
      'channels/hook.ts',
    ]) {
      expect(existsSync(join(project, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('my-project');
    expect(manifest.dependencies).toEqual({ 'baton-runtime': `file:${REPO_ROOT}`, zod: '^4.0.0' });
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('npx baton serve');
  });

  it('runs the scaffolded agent with npx baton run and no API key: the scripted model activates the skill and answers', async () => {
    const child = spawn(
      'npx',
      ['--no-install', 'baton', 'run', 'agents/assistant', 'Hi there', '--db', join(project, 'run.db')],
      { cwd: project, env: { ...process.env, ...NO_KEYS }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = await collectProcess(child, 120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('activate_skill {"name":"greeting"}');
    expect(result.stdout).toContain('Hello! You said: Hi there.');
  });

  it('serves the project: its schedule is listed and its channel refuses an unsigned delivery', async () => {
    const server = await startServeProcess(['--port', '0', '--db', join(project, 'serve.db')], {
      cwd: project,
      env: NO_KEYS,
    });
    try {
      const listed = (await (await fetch(`${server.url}/v1/schedules`)).json()) as {
        schedules: { id: string }[];
      };
      expect(listed.schedules.map((schedule) => schedule.id)).toEqual(['assistant/morning']);
      const hook = await fetch(`${server.url}/hooks/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hi' }),
      });
      expect(hook.status).toBe(401);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses a directory that is not empty with exit code 2, and writes over it with --force', async () => {
    const taken = join(base, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'mine');
    const refused = await runCli(['init', taken]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${taken} is not empty`);
    expect(readdirSync(taken)).toEqual(['notes.txt']);

    const forced = await runCli(['init', taken, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(taken, 'agents', 'assistant', 'agent.ts'))).toBe(true);
    expect(readFileSync(join(taken, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
