import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyTool } from '../src/core/tool.js';
import { workspaceTools } from '../src/workspace/tools/workspace-tools.js';
import { measureStall } from './helpers/event-loop-stall.js';
import { callTool } from './helpers/tool-context.js';

/** The longest the event loop may stall during one tool call (issue 10: a worker's lease renews every ttl/3). */
const MAX_STALL_MS = 250;
/** A tool that used to block forever must now answer well within this. */
const ANSWER_WITHIN_MS = 5_000;

/** Rejects when `promise` has not settled within `ms`: a blocked tool fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms = ANSWER_WITHIN_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('workspace tools that cannot wedge a worker', () => {
  let base = '';
  let root = '';
  let fifos: string[] = [];
  let servers: Server[] = [];
  let tools: Map<string, AnyTool>;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'baton-tools-blocking-'));
    root = join(base, 'ws');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.ts'), 'const a = 1;\n');
    fifos = [];
    servers = [];
    tools = new Map(workspaceTools(root, { searchTimeoutMs: 2_000 }).map((entry) => [entry.name, entry]));
  });

  afterEach(async () => {
    // A tool still blocked in open(2) on a FIFO (the bug) is released by opening the other end.
    for (const fifo of fifos) {
      for (const flags of [
        constants.O_WRONLY | constants.O_NONBLOCK,
        constants.O_RDONLY | constants.O_NONBLOCK,
      ]) {
        try {
          closeSync(openSync(fifo, flags));
        } catch {
          // No one waiting on this end.
        }
      }
    }
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(base, { recursive: true, force: true });
  });

  const call = async (name: string, input: unknown, signal = new AbortController().signal) => {
    const target = tools.get(name);
    if (!target) throw new Error(`no tool ${name}`);
    return callTool(target, input, signal);
  };

  const makeFifo = (path: string): string => {
    const full = join(root, path);
    execFileSync('mkfifo', [full]);
    fifos.push(full);
    return full;
  };

  const makeSocket = async (path: string): Promise<void> => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(root, path), resolve));
  };

  it('refuses a FIFO in every file tool with not_a_regular_file, without blocking', async () => {
    makeFifo('pipe');
    for (const [name, input] of [
      ['read_file', { path: 'pipe' }],
      ['write_file', { path: 'pipe', content: 'x' }],
      ['edit_file', { path: 'pipe', old_string: 'a', new_string: 'b' }],
      ['list_files', { path: 'pipe' }],
      ['grep', { pattern: 'a', path: 'pipe' }],
    ] as const) {
      await expect(within(call(name, input)), name).rejects.toMatchObject({ code: 'not_a_regular_file' });
    }
  });

  it('refuses a FIFO reached through a symlink inside the workspace', async () => {
    makeFifo('pipe');
    symlinkSync('pipe', join(root, 'link'));
    await expect(within(call('read_file', { path: 'link' }))).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
  });

  it('refuses a Unix socket with not_a_regular_file', async () => {
    await makeSocket('sock');
    await expect(within(call('read_file', { path: 'sock' }))).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
    await expect(within(call('write_file', { path: 'sock', content: 'x' }))).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
  });

  it.runIf(process.getuid?.() === 0)('refuses a device node with not_a_regular_file', async () => {
    execFileSync('mknod', [join(root, 'null'), 'c', '1', '3']);
    await expect(within(call('read_file', { path: 'null' }))).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
    await expect(within(call('write_file', { path: 'null', content: 'x' }))).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
  });

  it('greps a tree holding FIFOs and sockets, skipping them', async () => {
    makeFifo('src/pipe');
    await makeSocket('src/sock');
    expect(await within(call('grep', { pattern: 'const' }))).toEqual({
      matches: [{ path: 'src/main.ts', line: 1, text: 'const a = 1;' }],
      truncated: false,
    });
    expect(await within(call('list_files', {}))).toEqual({ files: ['src/main.ts'], truncated: false });
  });

  it('greps the catastrophic (a+)+$ in linear time, without stalling the event loop', async () => {
    writeFileSync(join(root, 'input.txt'), `${'a'.repeat(30)}b\n${'a'.repeat(32)}\n`);
    const { value, stallMs } = await measureStall(() =>
      within(call('grep', { pattern: '(a+)+$', path: 'input.txt' })),
    );
    expect(value).toEqual({
      matches: [{ path: 'input.txt', line: 2, text: 'a'.repeat(32) }],
      truncated: false,
    });
    expect(stallMs).toBeLessThanOrEqual(MAX_STALL_MS);
  });

  it('answers a pattern the linear-time engine cannot run with a clear invalid_request', async () => {
    for (const pattern of ['(a)\\1', 'a(?=b)', '(']) {
      await expect(within(call('grep', { pattern })), pattern).rejects.toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('RE2'),
      });
    }
  });

  it('stops a search at its time limit (a backtracking glob) without stalling the event loop', async () => {
    writeFileSync(join(root, 'a'.repeat(60)), 'x\n');
    const glob = `**/${'*a'.repeat(14)}*b`;
    const started = Date.now();
    const { value, stallMs } = await measureStall(() =>
      within(
        call('grep', { pattern: 'x', glob }).then(
          () => 'finished',
          (error: { code?: string }) => error.code,
        ),
      ),
    );
    expect(value).toBe('grep_timeout');
    expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
    expect(stallMs).toBeLessThanOrEqual(MAX_STALL_MS);
  });

  it('stops a search when the run is cancelled', async () => {
    writeFileSync(join(root, 'a'.repeat(60)), 'x\n');
    const controller = new AbortController();
    const pending = call('grep', { pattern: 'x', glob: `**/${'*a'.repeat(14)}*b` }, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await expect(within(pending)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
