import { expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Page } from '../../store/page.js';
import type { NewTask, TaskRecord, TaskStore } from '../../store/task-store.js';
import { sleep } from './fixtures.js';

function newTask(overrides: Partial<NewTask> = {}): NewTask {
  const id = newId('task');
  return {
    id,
    profile: 'coder',
    args: { goal: 'fix' },
    namespace: 'default',
    idempotencyKey: id,
    runId: null,
    ...overrides,
  };
}

async function createTasks(store: TaskStore, drafts: Partial<NewTask>[]): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  for (const draft of drafts) tasks.push((await store.createTask(newTask(draft))).task);
  return tasks;
}

/** Delegated tasks: idempotent creation, lookups, pages, patches and retention. */
export function taskContract(store: () => TaskStore): void {
  it('creates a pending task and returns it again for the same idempotency key', async () => {
    const first = await store().createTask(newTask({ idempotencyKey: 'same', runId: 'run_1' }));
    expect(first.created).toBe(true);
    expect(first.task).toMatchObject({
      status: 'pending',
      progress: null,
      result: null,
      error: null,
      costUsd: 0,
      runId: 'run_1',
      feedback: [],
      startedAt: null,
      completedAt: null,
    });
    const again = await store().createTask(newTask({ idempotencyKey: 'same', args: { other: true } }));
    expect(again).toEqual({ task: first.task, created: false });
    expect(await store().getTask(first.task.id)).toEqual(first.task);
    expect(await store().findTaskByIdempotencyKey('same')).toEqual(first.task);
    expect(await store().findTaskByRunId('run_1')).toEqual(first.task);
    expect(await store().getTask('task_missing')).toBeUndefined();
    expect(await store().findTaskByRunId('run_missing')).toBeUndefined();
  });

  it('lists tasks newest first, filtered by namespace, profile, status and since, up to the limit', async () => {
    const [a, b, c] = await createTasks(store(), [
      { namespace: 'one', profile: 'coder' },
      { namespace: 'two', profile: 'researcher' },
      { namespace: 'one', profile: 'researcher' },
    ]);
    await sleep(2);
    const [d] = await createTasks(store(), [{ namespace: 'one', profile: 'coder' }]);
    await store().updateTask(b?.id ?? '', { status: 'completed' });
    const ids = (page: Page<TaskRecord>) => page.items.map((task) => task.id);
    expect(ids(await store().listTasks({ limit: 10 }))).toEqual([d?.id, c?.id, b?.id, a?.id]);
    expect(ids(await store().listTasks({ limit: 2 }))).toEqual([d?.id, c?.id]);
    expect(ids(await store().listTasks({ namespace: 'one', limit: 10 }))).toEqual([d?.id, c?.id, a?.id]);
    expect(ids(await store().listTasks({ namespace: 'one', profile: 'coder', limit: 10 }))).toEqual([
      d?.id,
      a?.id,
    ]);
    expect(ids(await store().listTasks({ status: ['completed'], limit: 10 }))).toEqual([b?.id]);
    expect(ids(await store().listTasks({ since: d?.createdAt ?? '', limit: 10 }))).toEqual([d?.id]);
  });

  it('lists tasks in pages that cover every matching task once, and refuses a malformed cursor', async () => {
    const created = await createTasks(
      store(),
      Array.from({ length: 5 }, (_, index) => ({ namespace: index === 2 ? 'other' : 'one' })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().listTasks({
        namespace: 'one',
        limit: 2,
        ...(cursor !== undefined && { cursor }),
      });
      seen.push(...page.items.map((task) => task.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 10);
    const expected = created.filter((task) => task.namespace === 'one').map((task) => task.id);
    expect(seen).toEqual(expected.reverse());
    expect(pages).toBe(2);
    await expect(store().listTasks({ limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('patches a task, feedback included, and refuses unknown tasks', async () => {
    const { task } = await store().createTask(newTask());
    const feedback = [
      {
        id: 'fb_1',
        score: 0.5,
        notes: 'ok',
        by: 'user' as const,
        at: new Date().toISOString(),
        label: 'meh',
      },
    ];
    const updated = await store().updateTask(task.id, {
      status: 'running',
      progress: { iteration: 2, phase: 'testing' },
      costUsd: 0.125,
      feedback,
    });
    expect(updated).toMatchObject({
      status: 'running',
      progress: { iteration: 2, phase: 'testing' },
      costUsd: 0.125,
    });
    expect(updated.feedback).toEqual(feedback);
    expect(await store().getTask(task.id)).toEqual(updated);
    await expect(store().updateTask('task_missing', { status: 'failed' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('prunes the oldest terminal tasks beyond the retention cap and never an unfinished one', async () => {
    const tasks = await createTasks(store(), [{}, {}, {}, {}, {}, {}]);
    const [pending, oldDone, oldFailed, running, newCancelled, newDone] = tasks;
    await store().updateTask(oldDone?.id ?? '', { status: 'completed' });
    await store().updateTask(oldFailed?.id ?? '', { status: 'failed' });
    await store().updateTask(running?.id ?? '', { status: 'running' });
    await store().updateTask(newCancelled?.id ?? '', { status: 'cancelled' });
    await store().updateTask(newDone?.id ?? '', { status: 'completed' });
    expect(await store().pruneTasks(2)).toBe(2);
    const left = (await store().listTasks({ limit: 10 })).items.map((task) => task.id);
    expect(left).toEqual([newDone?.id, newCancelled?.id, running?.id, pending?.id]);
    expect(await store().pruneTasks(2)).toBe(0);
    expect(await store().pruneTasks(0)).toBe(2);
    expect((await store().listTasks({ limit: 10 })).items.map((task) => task.id)).toEqual([
      running?.id,
      pending?.id,
    ]);
  });
}
