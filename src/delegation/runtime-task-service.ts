import type { Environment } from '../core/environment.js';
import type { Runtime } from '../runtime/types.js';
import type { ProfileOptions } from './profiles/profile-registry.js';
import { createTaskService } from './task-service.js';
import type { TaskService } from './task-types.js';

/**
 * The task service of a runtime: its store and loaded agents, with cancels going through the
 * runtime so that a task running in this process stops at once.
 */
export function runtimeTaskService(
  runtime: Runtime,
  options: {
    retention?: number;
    profiles?: ProfileOptions;
    repoRoots?: readonly string[];
    /** The environment a task's repository is inspected in (default: the process environment). */
    env?: Environment;
  } = {},
): TaskService {
  return createTaskService({
    store: runtime.store,
    agents: runtime.agents,
    cancelRun: (runId) => runtime.cancel(runId),
    ...(options.retention !== undefined && { retention: options.retention }),
    ...(options.profiles && { profiles: options.profiles }),
    ...(options.repoRoots && { repoRoots: options.repoRoots }),
    ...(options.env && { env: options.env }),
  });
}
