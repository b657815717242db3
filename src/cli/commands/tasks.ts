import type { Command } from 'commander';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { createTaskService } from '../../delegation/task-service.js';
import type { TaskService, TaskView } from '../../delegation/task-types.js';
import { addConfigOptions, configured } from '../config-options.js';
import { formatTable } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';

/** Runs work against the task service of the configured store (no agents needed to read or cancel). */
function withTasks<T>(config: BatonConfig, work: (tasks: TaskService) => Promise<T>): Promise<T> {
  return withStore(config, (store) => work(createTaskService({ store, agents: new Map(), env: config.env })));
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
export function registerTasks(program: Command, env: Environment): void {
  const tasks = program.command('tasks').description('list, show and cancel delegated tasks');

  addConfigOptions(tasks.command('list').description('tasks, newest first'), 'tasks list').action(
    configured(env, async (config) => {
      const found = await withTasks(config, (service) =>
        service.history({
          namespace: config.namespace,
          profile: config.profile,
          since: config.since,
          limit: config.limit,
        }),
      );
      // A list is one value, as for `baton runs list --json`.
      if (config.json) return writeJsonLine(found);
      if (found.length === 0) return void process.stderr.write('no tasks\n');
      console.log(taskTable(found));
    }),
  );

  // `--json` is accepted for symmetry with the other commands: show always prints JSON.
  addConfigOptions(tasks.command('show <taskId>').description('one task as JSON'), 'tasks show').action(
    configured(env, async (config, taskId: string) => {
      console.log(JSON.stringify(await withTasks(config, (service) => service.getTask(taskId)), null, 2));
    }),
  );

  addConfigOptions(
    tasks.command('cancel <taskId>').description('cancel a task; its worker stops at its next lease renewal'),
    'tasks cancel',
  ).action(
    configured(env, async (config, taskId: string) => {
      const task = await withTasks(config, (service) => service.cancelTask(taskId));
      if (config.json) writeJsonLine(task);
      else console.log(taskTable([task]));
    }),
  );
}
