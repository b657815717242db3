import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand, REPO_ROOT } from './cli.js';

/** One line of the side-effect log the fixture agents write: what ran, in which run, in which process. */
export interface Execution {
  what: 'record' | 'start' | 'done';
  runId: string;
  toolCallId: string;
  pid: number;
}

/**
 * A temp directory with two agent modules whose tools record every execution in a log file:
 * `record` (one non-idempotent tool call, then an answer) and `gated` (an idempotent tool that
 * waits until {@link ScaleFixture.release} is called, then an answer).
 */
export interface ScaleFixture {
  dir: string;
  agentsDir: string;
  agentFile(name: 'record' | 'gated'): string;
  release(): void;
  executions(): Execution[];
  cleanup(): void;
}

function agentSource(name: 'record' | 'gated', logPath: string, releasePath: string): string {
  const imports = `import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAgent } from ${JSON.stringify(join(REPO_ROOT, 'src/core/agent.js'))};
import { tool } from ${JSON.stringify(join(REPO_ROOT, 'src/core/tool.js'))};
import { scriptedModel } from ${JSON.stringify(join(REPO_ROOT, 'src/model/scripted-model.js'))};
const log = (what, context) =>
  appendFileSync(${JSON.stringify(logPath)}, \`\${what} \${context.runId} \${context.toolCallId} \${process.pid}\\n\`);
`;
  if (name === 'record') {
    return `${imports}
export default defineAgent({
  name: 'record',
  instructions: 'Record once, then answer.',
  model: scriptedModel([{ toolCalls: [{ name: 'record', input: {} }] }, { text: 'recorded' }]),
  tools: [tool({ name: 'record', description: 'Records one execution', inputSchema: z.object({}),
    execute: (_input, context) => { log('record', context); return 'ok'; } })],
});
`;
  }
  return `${imports}
export default defineAgent({
  name: 'gated',
  instructions: 'Wait for the gate, then answer.',
  model: scriptedModel([{ toolCalls: [{ name: 'wait', input: {} }] }, { text: 'released' }]),
  tools: [tool({ name: 'wait', description: 'Waits for the gate', inputSchema: z.object({}), idempotent: true,
    execute: async (_input, context) => {
      log('start', context);
      while (!existsSync(${JSON.stringify(releasePath)})) await sleep(20, undefined, { signal: context.signal });
      log('done', context);
      return 'released';
    } })],
});
`;
}

/** Writes the fixture agents into a fresh temp directory. */
export function createScaleFixture(): ScaleFixture {
  const dir = mkdtempSync(join(tmpdir(), 'baton-scale-'));
  const agentsDir = join(dir, 'agents');
  const logPath = join(dir, 'executions.log');
  const releasePath = join(dir, 'release');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  // The agent modules import zod; resolution walks up from their directory.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(agentsDir);
  for (const name of ['record', 'gated'] as const) {
    writeFileSync(join(agentsDir, `${name}.ts`), agentSource(name, logPath, releasePath));
  }
  writeFileSync(logPath, '');
  return {
    dir,
    agentsDir,
    agentFile: (name) => join(agentsDir, `${name}.ts`),
    release: () => writeFileSync(releasePath, ''),
    executions: () =>
      readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [what, runId, toolCallId, pid] = line.split(' ');
          return { what, runId, toolCallId, pid: Number(pid) } as Execution;
        }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A CLI process running in the background. */
export interface BackgroundCli {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `baton <args>` from source in the background. With `ownPidNamespace` the process runs
 * in a new pid namespace (bubblewrap), as if on another machine: a worker there cannot tell
 * that a local worker died, so it must wait for the dead worker's lease to expire.
 */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ownPidNamespace?: boolean } = {},
): BackgroundCli {
  const { command, args: fullArgs } = cliCommand(args);
  const [file, argv] = options.ownPidNamespace
    ? ['bwrap', ['--dev-bind', '/', '/', '--unshare-pid', '--proc', '/proc', '--', command, ...fullArgs]]
    : [command, fullArgs];
  const child = spawn(file, argv, { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** How long the scale tests wait for a process to reach a point (generous: two loaded cores). */
export const SCALE_WAIT_MS = 90_000;
