import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StdioSession, TaskPayload } from './fixtures/delegation/mcp-client.js';
import { callJson, callTool, connectStdio, pollTask } from './fixtures/delegation/mcp-client.js';

describe('baton mcp over stdio', () => {
  let dir: string;
  let session: StdioSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mcp-'));
    session = await connectStdio(join(dir, 'baton.db'));
  });

  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the delegation tools with their input schemas', async () => {
    const { tools } = await session.client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual([
      'approval_decide',
      'approvals_list',
      'delegate',
      'delegate_code',
      'delegate_feedback',
      'delegate_research',
      'delegation_cancel',
      'delegation_history',
      'delegation_status',
    ]);
    const code = tools.find((tool) => tool.name === 'delegate_code');
    expect(code?.inputSchema.required).toEqual(expect.arrayContaining(['goal', 'repoRoot']));
    expect(Object.keys(code?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['goal', 'repoRoot', 'contextHint', 'variants', 'config', 'namespace']),
    );
  });

  it('delegates to an agent, completes, and reuses the task on resubmission', async () => {
    const first = await callJson(session.client, 'delegate', {
      agent: 'echo',
      message: 'hi',
      namespace: 'stdio',
    });
    expect(first).toEqual({ taskId: expect.stringMatching(/^task_/), reused: false });
    const task = await pollTask(session.client, first.taskId as string);
    expect(task).toMatchObject({
      taskId: first.taskId,
      status: 'completed',
      result: { text: 'echo: hi' },
      error: null,
    });
    expect(task.costUsd).toBeCloseTo(0.001);
    expect(task.startedAt).not.toBeNull();
    expect(task.completedAt).not.toBeNull();
    const again = await callJson(session.client, 'delegate', {
      agent: 'echo',
      message: 'hi',
      namespace: 'stdio',
    });
    expect(again).toEqual({ taskId: first.taskId, reused: true });
  });

  it('records feedback on a delegation, an artifact or an outcome and shows it in the history, newest first', async () => {
    const { taskId } = await callJson<{ taskId: string }>(session.client, 'delegate', {
      agent: 'echo',
      message: 'rate me',
    });
    await pollTask(session.client, taskId);
    const feedback = await callJson(session.client, 'delegate_feedback', {
      refersTo: { kind: 'delegation', ref: taskId },
      rating: { score: 0.8, label: 'good', notes: 'fine answer' },
      by: 'user',
    });
    expect(feedback).toEqual({ recorded: true, id: expect.stringMatching(/^fb_/) });
    for (const [kind, ref] of [
      ['artifact', `${taskId}#src/app.ts`],
      ['outcome', taskId],
    ]) {
      const rated = await callJson(session.client, 'delegate_feedback', {
        refersTo: { kind, ref },
        rating: { score: 0.5, notes: kind },
        by: 'downstream-judge',
      });
      expect(rated).toMatchObject({ recorded: true });
    }
    const status = await callJson<{ feedback: unknown[] }>(session.client, 'delegation_status', { taskId });
    expect(status.feedback).toEqual([
      expect.objectContaining({ score: 0.8, label: 'good', notes: 'fine answer', by: 'user' }),
      expect.objectContaining({ notes: 'artifact' }),
      expect.objectContaining({ notes: 'outcome' }),
    ]);
    const { delegations } = await callJson<{ delegations: Record<string, unknown>[] }>(
      session.client,
      'delegation_history',
      { limit: 10 },
    );
    // The entry shape clients of other delegation servers read.
    expect(delegations[0]).toEqual({
      taskId,
      profile: 'agent:echo',
      namespace: 'default',
      args: { message: 'rate me' },
      status: 'completed',
      feedback: [
        {
          id: expect.stringMatching(/^fb_/),
          score: 0.8,
          label: 'good',
          by: 'user',
          notes: 'fine answer',
          capturedAt: expect.any(String),
        },
        expect.objectContaining({ notes: 'artifact', by: 'downstream-judge' }),
        expect.objectContaining({ notes: 'outcome' }),
      ],
      costUsd: expect.any(Number),
      startedAt: expect.any(String),
      completedAt: expect.any(String),
    });
    // A limit above the cap is lowered to 500, not refused.
    const capped = await callJson<{ delegations: TaskPayload[] }>(session.client, 'delegation_history', {
      limit: 1000,
    });
    expect(capped.delegations.length).toBeGreaterThan(0);
    // Every entry carries its cost, 0 for a task that has spent nothing (yet).
    for (const entry of capped.delegations as unknown as { costUsd?: unknown }[])
      expect(entry.costUsd).toEqual(expect.any(Number));
    const filtered = await callJson<{ delegations: { namespace?: string }[] }>(
      session.client,
      'delegation_history',
      { namespace: 'stdio' },
    );
    expect(filtered.delegations.length).toBeGreaterThan(0);
    expect(filtered.delegations.every((entry) => entry.namespace === 'stdio')).toBe(true);
  });

  it('runs research through the fact gate and names the judge of each veto', async () => {
    const submitted = await callJson<{ taskId: string }>(session.client, 'delegate_research', {
      question: 'When did the Golden Gate Bridge open?',
      namespace: 'research',
    });
    // A hint for pollers, as other delegation servers give one.
    expect(submitted).toEqual({ taskId: expect.any(String), reused: false, estimatedDurationMs: 120_000 });
    const { taskId } = submitted;
    const task = await pollTask(session.client, taskId);
    expect(task.status).toBe('completed');
    const result = task.result as {
      items: { claim: string }[];
      rejected: { vetoedBy: string }[];
      citations: string[];
      gaps: string[];
    };
    expect(result.items.map((item) => item.claim)).toEqual(['The bridge opened in 1937']);
    expect(result.rejected.map((rejected) => rejected.vetoedBy)).toEqual([
      'verbatim-passage',
      'passage-in-source',
      'no-circular-citation',
    ]);
    expect(result.citations).toEqual(['https://example.org/ggb']);
    expect(result.gaps).toEqual(['opening ceremony attendance']);
  });

  it('cancels a slow task', async () => {
    const { taskId } = await callJson<{ taskId: string }>(session.client, 'delegate', {
      agent: 'slow',
      message: 'wait 60000',
    });
    await pollTask(session.client, taskId, (task) => task.status === 'running');
    const cancelled = await callJson<TaskPayload>(session.client, 'delegation_cancel', { taskId });
    expect(cancelled.status).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await callJson<TaskPayload>(session.client, 'delegation_status', { taskId })).status).toBe(
      'cancelled',
    );
  });

  it('answers bad arguments and unknown ids with tool errors and keeps serving', async () => {
    const missing = await callTool(session.client, 'delegation_status', { taskId: 'task_nope' });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toContain('not_found');
    const badArgs = await callTool(session.client, 'delegate_code', { goal: 42 });
    expect(badArgs.isError).toBe(true);
    const unknownAgent = await callTool(session.client, 'delegate', { agent: 'ghost', message: 'hi' });
    expect(unknownAgent.isError).toBe(true);
    expect(JSON.stringify(unknownAgent.content)).toContain('ghost');
    const badFeedback = await callTool(session.client, 'delegate_feedback', {
      refersTo: { kind: 'delegation', ref: 'task_nope' },
      rating: { score: 2, notes: '' },
      by: 'user',
    });
    expect(badFeedback.isError).toBe(true);
    const noTask = await callTool(session.client, 'delegate_feedback', {
      refersTo: { kind: 'artifact', ref: 'https://example.org/report.pdf' },
      rating: { score: 1, notes: '' },
      by: 'user',
    });
    expect(noTask.isError).toBe(true);
    expect(JSON.stringify(noTask.content)).toContain('names the task that produced it');
    const { tools } = await session.client.listTools();
    expect(tools.length).toBe(9);
  });
});

describe('baton mcp after a crash', () => {
  it('resumes a task after the stdio server is killed mid-task and keeps the history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-mcp-kill-'));
    const db = join(dir, 'baton.db');
    try {
      const first = await connectStdio(db, ['--lease-ttl', '500']);
      const before = await callJson<{ taskId: string }>(first.client, 'delegate', {
        agent: 'echo',
        message: 'before',
      });
      await pollTask(first.client, before.taskId);
      const { taskId } = await callJson<{ taskId: string }>(first.client, 'delegate', {
        agent: 'slow',
        message: 'wait 1500',
      });
      await pollTask(first.client, taskId, (task) => task.status === 'running');
      if (first.transport.pid !== null) process.kill(first.transport.pid, 'SIGKILL');
      await first.close().catch(() => undefined);
      const second = await connectStdio(db, ['--lease-ttl', '500']);
      try {
        const task = await pollTask(second.client, taskId);
        expect(task).toMatchObject({ status: 'completed', result: { text: 'done waiting' } });
        const { delegations } = await callJson<{ delegations: TaskPayload[] }>(
          second.client,
          'delegation_history',
          {},
        );
        expect(delegations.map((entry) => entry.taskId)).toEqual([taskId, before.taskId]);
        expect(delegations[1]?.status).toBe('completed');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
