import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '../src/core/errors.js';
import type { BatonEvent } from '../src/core/events.js';
import { createRuntime, defineAgent, scriptedModel, tool } from '../src/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import compacting, { requests, SUMMARY } from './fixtures/agents/compacting.js';
import { exited, spawnCli } from './fixtures/effects.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-compaction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AGENT = join('test', 'fixtures', 'agents', 'compacting.ts');

function texts(prompt: LanguageModelV3Prompt): string[] {
  return prompt.flatMap((message) =>
    typeof message.content === 'string'
      ? [message.content]
      : message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])),
  );
}

function stepInputs(prompt: LanguageModelV3Prompt): number[] {
  return prompt.flatMap((message) =>
    message.role === 'assistant'
      ? message.content.flatMap((part) =>
          part.type === 'tool-call' ? [(part.input as { i: number }).i] : [],
        )
      : [],
  );
}

describe('transcript compaction', () => {
  it('compacts a 300-step session once, and a run killed after it resumes from the compacted transcript', async () => {
    const db = join(dir, 'kill.db');
    const child = spawnCli(['run', AGENT, 'build 300', '--json', '--db', db, '--lease-ttl', '1000'], {
      BATON_TEST_MODEL_MS: '15',
    });
    const store = new SqliteStore(db);
    try {
      // Killed once the compaction has committed and a few steps ran on the compacted transcript.
      const found = await waitFor(
        async () => {
          const [session] = (await store.listSessions({ limit: 1 })).items;
          if (!session) return undefined;
          const events = await store.readEvents(session.id);
          const at = events.findIndex((event) => event.type === 'transcript.compacted');
          const after = events.slice(at + 1).filter((event) => event.type === 'step.completed').length;
          return at >= 0 && after >= 3 ? { session, events } : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 50, message: 'a compaction and three steps after it' },
      );
      child.kill('SIGKILL');
      await exited(child);
      const before = await store.readEvents(found.session.id);
      expect(before.some((event) => event.type === 'run.completed')).toBe(false);
      const runId = before.find((event) => event.type === 'run.started')?.runId ?? '';

      // Resumed here, with the same agent: what its model receives is kept in `requests`.
      requests.length = 0;
      const runtime = createRuntime({ store, agents: [compacting] });
      // The dead process's lease runs out (or is found dead) before the run can be claimed.
      const run = await waitFor(
        () =>
          runtime.execute(runId).catch((error: unknown) => {
            if (error instanceof ConflictError) return undefined;
            throw error;
          }),
        { timeoutMs: 60_000, intervalMs: 200, message: 'the resumed run' },
      );
      await runtime.close();
      expect(run.status).toBe('succeeded');

      const events = await store.readEvents(found.session.id);
      const compactions = events.filter(
        (event): event is BatonEvent<'transcript.compacted'> => event.type === 'transcript.compacted',
      );
      expect(compactions).toHaveLength(1);
      const [compaction] = compactions;
      expect(compaction?.data.summary).toContain(SUMMARY);
      expect(compaction?.data.tokensAfter).toBeLessThan(compaction?.data.tokensBefore ?? 0);
      expect(compaction?.data.tokensBefore).toBeGreaterThan(compacting.compaction?.thresholdTokens ?? 0);
      expect(compaction?.data.upToSeq).toBe((compaction?.seq ?? 0) - 1);
      // Every step ran once, across the kill; the log keeps every one of them.
      const completed = events.filter((event) => event.type === 'step.completed').length;
      expect(completed).toBe(300);

      // After the resume the model saw the summary first, then only the recent steps.
      const first = requests[0];
      if (!first) throw new Error('the resumed run called no model');
      expect(texts(first)[1]).toContain(SUMMARY);
      const seen = stepInputs(first);
      expect(seen[0]).toBeGreaterThan(100);
      expect(seen).not.toContain(0);
      expect(seen.at(-1)).toBeGreaterThan(seen[0] ?? Number.POSITIVE_INFINITY);
      // The log still holds the first step's call in full.
      expect(
        events.some((event) => event.type === 'tool.result' && (event.data.output as { i?: number }).i === 0),
      ).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await store.close();
    }
  });

  it('shows the model a long tool result truncated with a note, and keeps it whole in the log', async () => {
    const seen: LanguageModelV3Prompt[] = [];
    const long = 'x'.repeat(5_000);
    const agent = defineAgent({
      name: 'reader',
      instructions: 'Read.',
      maxToolResultChars: 200,
      tools: [
        tool({ name: 'read', description: 'read', inputSchema: z.object({}), execute: () => ({ long }) }),
      ],
      model: scriptedModel((request) => {
        seen.push(structuredClone(request.prompt));
        return request.step === 0 ? { toolCalls: [{ name: 'read', input: {} }] } : { text: 'read it' };
      }),
    });
    const store = new SqliteStore(join(dir, 'truncate.db'));
    const runtime = createRuntime({ store, agents: [agent] });
    try {
      const { runId, sessionId } = await runtime.start({ agent: 'reader', message: 'read' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      const tool = seen[1]?.find((message) => message.role === 'tool');
      const part = tool?.role === 'tool' ? tool.content[0] : undefined;
      expect(part?.type === 'tool-result' && part.output).toEqual({
        type: 'text',
        value: expect.stringMatching(
          /^\{"long":"x{191}\n\[truncated: the result is 5011 characters as JSON; only the first 200 are shown\]$/,
        ),
      });
      const result = (await store.readEvents(sessionId)).find((event) => event.type === 'tool.result');
      expect(result?.data).toMatchObject({ output: { long } });
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
