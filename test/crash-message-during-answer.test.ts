import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../src/index.js';
import { createRuntime, defineAgent, guardrail, openStore, scriptedModel } from '../src/index.js';
import { REPO_ROOT, tsxCommand } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-crash-message-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the fixture on a new database until it prints `killAt`, SIGKILLs it, waits out its lease
 * and resumes the run in this process, with the fixture's agent (with a `mode`: its one-step,
 * screened variant) answering every call with `answering <last user text>`. Gives the resumed
 * run, the runtime, and the user texts each model call of this process was asked about.
 */
async function killAndResume(
  killAt: string,
  mode: 'last-step' | 'after-answer' | undefined,
  check: (
    run: Awaited<ReturnType<Runtime['execute']>>,
    runtime: Runtime,
    sessionId: string,
    told: string[],
  ) => Promise<void>,
): Promise<void> {
  const db = join(mkdtempSync(join(dir, 'db-')), 'baton.db');
  const script = join(REPO_ROOT, 'test/fixtures/crash/message-during-answer.ts');
  const { command, args } = tsxCommand(script, [db, ...(mode ? [mode] : [])]);
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise((resolve) => child.once('close', resolve));
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(killAt)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the child exited (${code}) before printing ${killAt}`)));
    });
  } finally {
    // Killed whatever happened: a child left blocked would renew its lease forever.
    child.kill('SIGKILL');
    await closed;
  }
  const [, runId = '', sessionId = ''] = /IDS (\S+) (\S+)/.exec(out) ?? [];
  // The dead worker's lease (1,500 ms, renewed until the kill) runs out.
  await sleep(1_800);
  const store = await openStore(db);
  const told: string[] = [];
  const runtime = createRuntime({
    store,
    agents: [
      defineAgent({
        name: 'racer',
        instructions: 'Answer.',
        ...(mode && {
          limits: { maxSteps: 1 },
          guardrails: [guardrail({ name: 'screen', on: 'output', check: () => ({ tripwire: false }) })],
        }),
        model: scriptedModel((request) => {
          told.push(request.lastUserText ?? '');
          return { text: `answering ${request.lastUserText ?? ''}` };
        }),
      }),
    ],
  });
  try {
    await check(await runtime.execute(runId), runtime, sessionId, told);
  } finally {
    await runtime.close();
    await store.close();
  }
}

describe('a message that overtook an answer, then a crash', () => {
  // The message commits while the model answers the first one, so the log holds it before that
  // answer: a resumed attempt must not read the answer as the reply to it.
  it('is answered by the resumed run when the process dies in the model call that answers it', async () => {
    await killAndResume('CALL 2', undefined, async (run, runtime, sessionId, told) => {
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answering SECOND' } });
      expect(told).toEqual(['SECOND']);
      expect((await runtime.listRuns({ sessionId })).items).toHaveLength(1);
    });
  });

  /** The resumed run ended with its answer, and the session's next run answers SECOND. */
  const leftToTheNextRun: Parameters<typeof killAndResume>[2] = async (run, runtime, sessionId, told) => {
    expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answering FIRST' } });
    expect(told).toEqual([]);
    const next = (await runtime.listRuns({ sessionId })).items.find((item) => item.id !== run.id);
    expect(next).toMatchObject({ status: 'queued', input: { message: 'SECOND' } });
    expect((await runtime.execute(next?.id ?? '')).result).toEqual({ text: 'answering SECOND' });
    expect(told).toEqual(['SECOND']);
  };

  it('with no step left, ends the resumed run with its answer and leaves the message to the next run', async () => {
    // Killed after the answer committed, while it was screened: the log's last word is that
    // answer, with the message before it that it never saw.
    await killAndResume('SCREEN', 'last-step', leftToTheNextRun);
  });

  it('with no step left, does the same for a message that came after the answer committed', async () => {
    await killAndResume('SCREEN', 'after-answer', leftToTheNextRun);
  });
});
