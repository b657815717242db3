import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { exited, readEffects, spawnCli, waitForEffect } from './fixtures/effects.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-context-crash-'));
const db = join(dir, 'baton.db');
const effects = join(dir, 'effects.log');
// The tools hold for a while after writing, so the kill lands between the write and the result.
const env = { BATON_TEST_EFFECTS: effects, BATON_TEST_TOOL_MS: '60000' };
const AGENT = join('test', 'fixtures', 'agents', 'cart.ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('session context across a killed worker', () => {
  it('never applies the writes of an interrupted tool, and lands a re-run idempotent tool’s writes once', async () => {
    const killed = await Promise.all(
      ['checkout', 'note'].map(async (message) => {
        const child = spawnCli(['run', AGENT, message, '--json', '--db', db], env);
        await waitForEffect(
          effects,
          child.pid as number,
          (line) => line.kind === 'tool-start' && line.fields[2] === message,
          child,
        );
        child.kill('SIGKILL');
        await exited(child);
        return child.pid as number;
      }),
    );
    const worker = await runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db], {
      env: { ...env, BATON_TEST_TOOL_MS: '0' },
    });
    expect(worker.code, worker.stderr).toBe(0);

    const store = new SqliteStore(db);
    const runtime = createRuntime({ store });
    try {
      const sessions = (await runtime.listSessions({ limit: 10 })).items;
      const byTool = new Map<string, string>();
      for (const session of sessions) {
        const [message] = await store.readEvents(session.id, { types: ['message.received'], limit: 1 });
        if (message?.type === 'message.received') byTool.set(message.data.text, session.id);
      }

      const checkout = await store.readEvents(byTool.get('checkout') ?? '');
      expect(checkout.at(-1)?.type).toBe('run.completed');
      expect(checkout.find((event) => event.type === 'tool.result')?.data).toMatchObject({
        name: 'checkout',
        error: { code: 'interrupted' },
      });
      expect(checkout.filter((event) => event.type === 'context.updated')).toEqual([]);
      expect((await runtime.getSession(byTool.get('checkout') ?? '')).context).toEqual({});

      const noteSession = byTool.get('note') ?? '';
      const note = await store.readEvents(noteSession);
      expect(note.at(-1)?.type).toBe('run.completed');
      const runs = readEffects(effects).filter(
        (line) => line.kind === 'tool-start' && line.fields[0] === noteSession,
      );
      // Started by the killed process, then run again by the worker.
      expect(runs).toHaveLength(2);
      expect(runs[0]?.pid).toBe(killed[1]);
      const rerunPid = runs[1]?.pid;
      expect(rerunPid).not.toBe(killed[1]);
      const updates = note.filter((event) => event.type === 'context.updated');
      expect(updates.map((event) => event.data)).toEqual([{ key: 'note', value: `noted by ${rerunPid}` }]);
      expect((await runtime.getSession(noteSession)).context).toEqual({ note: `noted by ${rerunPid}` });
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
