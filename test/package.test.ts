import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './helpers/cli.js';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';
import { readmeBlock } from './helpers/readme.js';

// Baton as a user installs it: the tarball `npm pack` makes, installed with zod and the latest
// TypeScript into an empty CommonJS project (`npm init -y`) outside the repository, then the
// README's "Use it in your project" agent type-checked under --strict and run with `npx baton`.
// Needs the npm registry, as a user's install does; better-sqlite3 may compile from source.

const INSTALL_TIMEOUT_MS = 9 * 60_000;

/** Runs a command to completion in `cwd` and collects its output. */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<CliResult> {
  const child = spawn(command, args, {
    cwd,
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectProcess(child, timeoutMs);
}

/** The agent file of the README's "Use it in your project" walkthrough. */
function readmeAgent(): string {
  return readmeBlock('package-walkthrough', 'ts');
}

/** A copy of the repository's files (as a fresh clone has them) to pack, so the build is its own. */
function copyOfRepository(target: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('node_modules/'));
  for (const file of files) {
    try {
      mkdirSync(dirname(join(target, file)), { recursive: true });
      copyFileSync(join(REPO_ROOT, file), join(target, file));
    } catch (error) {
      // A file deleted in the working tree but still in the index is not part of the package.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(target, 'node_modules'));
}

describe('the packed package in a project of its own', () => {
  const base = mkdtempSync(join(tmpdir(), 'baton-package-'));
  const project = join(base, 'weather-agent');
  let tarball = '';
  let files: string[] = [];

  beforeAll(async () => {
    const source = join(base, 'source');
    copyOfRepository(source);
    // `npm pack` runs `prepare`, which builds dist/ in the copy, as a git install does.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', base], source, 300_000);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(base, info?.filename ?? '');
    files = (info?.files ?? []).map((file) => file.path);

    mkdirSync(project);
    expect((await run('npm', ['init', '-y'], project)).code).toBe(0);
    const installed = await run(
      'npm',
      ['install', tarball, 'zod', 'typescript@latest'],
      project,
      INSTALL_TIMEOUT_MS,
    );
    expect(installed.code, installed.stderr).toBe(0);
  }, INSTALL_TIMEOUT_MS + 300_000);

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('packs what a user needs and nothing else', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; default: string }>;
    };
    for (const target of Object.values(manifest.exports)) {
      for (const path of typeof target === 'string' ? [target] : [target.types, target.default]) {
        expect(files).toContain(relative('.', path));
      }
    }
    expect(files).toEqual(
      expect.arrayContaining(['bin/baton.js', 'README.md', 'LICENSE', 'docs/architecture.md']),
    );
    expect(
      files.filter((file) => /^(src|test|bench|examples)\//.test(file) || /\.test\./.test(file)),
    ).toEqual([]);
    expect(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('installs into an empty CommonJS project outside the repository', () => {
    expect(relative(REPO_ROOT, project).startsWith('..')).toBe(true);
    const own = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      type?: string;
      dependencies: Record<string, string>;
    };
    expect(own.type ?? 'commonjs').toBe('commonjs');
    expect(Object.keys(own.dependencies).sort()).toEqual(['baton-runtime', 'typescript', 'zod']);
  });

  it("type-checks the README's agent under tsc --strict, NodeNext, without skipLibCheck", async () => {
    writeFileSync(join(project, 'weather.ts'), readmeAgent());
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['weather.ts'],
      }),
    );
    const checked = await run('npx', ['--no-install', 'tsc', '-p', '.'], project);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    // `execute({ a, b })` really is typed from the schema: a wrong use fails the same check.
    writeFileSync(
      join(project, 'weather.ts'),
      readmeAgent().replace('({ sum: a + b })', '({ sum: a.toUpperCase() + b })'),
    );
    const wrong = await run('npx', ['--no-install', 'tsc', '-p', '.'], project);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toContain("Property 'toUpperCase' does not exist on type 'number'");
    writeFileSync(join(project, 'weather.ts'), readmeAgent());
  }, 120_000);

  it('runs the agent with npx baton run, and says its version', async () => {
    writeFileSync(join(project, 'weather.ts'), readmeAgent());
    const result = await run(
      'npx',
      ['--no-install', 'baton', 'run', 'weather.ts', 'What is the weather in Paris?'],
      project,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ get_weather → {"city":"Paris","forecast":"sunny","celsius":21}');
    expect(result.stdout).toContain('✔ add → {"sum":23}');
    expect(result.stdout).toMatch(/✔ succeeded · 3 steps · 2 tool calls/);
    const version = await run('npx', ['--no-install', 'baton', '--version'], project);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  }, 120_000);

  it('loads baton-runtime/testing in a plain script, where vitest is not installed', async () => {
    const script = `import('baton-runtime/testing').then((testing) => {
  const model = testing.scriptedModel([{ text: 'hi' }]);
  console.log(model.provider, typeof testing.fakeClock().now());
});`;
    const result = await run(process.execPath, ['-e', script], project);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('scripted number');
  });
});
