import type { Command } from 'commander';
import { createTaskService } from '../../delegation/task-service.js';
import type { TaskService, TaskView } from '../../delegation/task-types.js';
import { formatTable } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, writeJsonLine } from '../options.js';

interface ListFlags {
  db?: string;
  namespace?: string;
  profile?: string;
  since?: string;
  limit?: number;
  json?: boolean;
}

/** Runs work against the task service of the `--db` store (no agents needed to read or cancel). */
function withTasks<T>(db: string | undefined, work: (tasks: TaskService) => Promise<T>): Promise<T> {
  return withStore(db, (store) => work(createTaskService({ store, agents: new Map() })));
}

const TASK_COLUMNS = ['TASK', 'STATUS', 'PROFILE', 'NAMESPACE', 'CREATED', 'PROGRESS'];

function taskRow(task: TaskView): string[] {
  const progress = task.progress ? `${task.progress.phase} #${task.progress.iteration}` : '';
  return [task.id, task.status, task.profile, task.namespace, task.createdAt, progress];
}

function taskTable(tasks: readonly TaskView[]): string {
  return formatTable(TASK_COLUMNS, tasks.map(taskRow));
}

/** `baton tasks list|show|cancel`: delegated tasks in the store. */
export function registerTasks(program: Command): void {
  const tasks = program.command('tasks').description('list, show and cancel delegated tasks');

  addDbOption(
    tasks
      .command('list')
      .description('tasks, newest first')
      .option('--namespace <name>', 'only this namespace')
      .option('--profile <profile>', 'only this profile (coder, researcher, agent:<name>)')
      .option('--since <iso>', 'only tasks created at or after this ISO timestamp')
      .option('--limit <n>', 'at most this many (default 50, max 500)', integerAtLeast(1))
      .option('--json', 'print the tasks as one JSON array'),
  ).action(async (flags: ListFlags) => {
    const found = await withTasks(flags.db, (service) =>
      service.history({
        namespace: flags.namespace,
        profile: flags.profile,
        since: flags.since,
        limit: flags.limit,
      }),
    );
    // A list is one value, as for `baton runs list --json`.
    if (flags.json) return writeJsonLine(found);
    if (found.length === 0) return void process.stderr.write('no tasks\n');
    console.log(taskTable(found));
  });

  addDbOption(
    tasks
      .command('show <taskId>')
      .description('one task as JSON')
      // Accepted for symmetry with the other commands: show always prints JSON.
      .option('--json', 'print the task as JSON (the default)'),
  ).action(async (taskId: string, flags: { db?: string }) => {
    console.log(JSON.stringify(await withTasks(flags.db, (service) => service.getTask(taskId)), null, 2));
  });

  addDbOption(
    tasks
      .command('cancel <taskId>')
      .description('cancel a task; its worker stops at its next lease renewal')
      .option('--json', 'print the cancelled task as JSON'),
  ).action(async (taskId: string, flags: { db?: string; json?: boolean }) => {
    const task = await withTasks(flags.db, (service) => service.cancelTask(taskId));
    if (flags.json) writeJsonLine(task);
    else console.log(taskTable([task]));
  });
}
