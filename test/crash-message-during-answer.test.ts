import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, defineAgent, openStore, scriptedModel } from '../src/index.js';
import { REPO_ROOT, tsxCommand } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-crash-message-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a message that overtook an answer, then a crash', () => {
  // The message commits while the model answers the first one, so the log holds it before that
  // answer: a resumed attempt must not read the answer as the reply to it.
  it('is answered by the resumed run when the process dies in the model call that answers it', async () => {
    const db = join(dir, 'baton.db');
    const { command, args } = tsxCommand(join(REPO_ROOT, 'test/fixtures/crash/message-during-answer.ts'), [
      db,
    ]);
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const closed = new Promise((resolve) => child.once('close', resolve));
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (/CALL 2/.test(out)) resolve();
        });
        child.on('exit', (code) =>
          reject(new Error(`the child exited (${code}) before its second model call`)),
        );
      });
    } finally {
      // Killed whatever happened: a child left blocked in its model call would renew its lease forever.
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
          model: scriptedModel((request) => {
            told.push(request.lastUserText ?? '');
            return { text: `answering ${request.lastUserText ?? ''}` };
          }),
        }),
      ],
    });
    try {
      const run = await runtime.execute(runId);
      expect(run).toMatchObject({ status: 'succeeded', result: { text: 'answering SECOND' } });
      expect(told).toEqual(['SECOND']);
      expect((await runtime.listRuns({ sessionId })).items).toHaveLength(1);
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
