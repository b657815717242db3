import type { Command } from 'commander';
import type { Environment } from '../core/environment.js';
import { registerApprovals } from './commands/approvals.js';
import { registerEvents } from './commands/events.js';
import { registerExec } from './commands/exec.js';
import { registerHandoff } from './commands/handoff.js';
import { registerInit } from './commands/init.js';
import { registerKeys } from './commands/keys.js';
import { registerMcp } from './commands/mcp.js';
import { registerPull } from './commands/pull.js';
import { registerReceipt } from './commands/receipt.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerSchedules } from './commands/schedules.js';
import { registerServe } from './commands/serve.js';
import { registerTasks } from './commands/tasks.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyLog } from './commands/verify-log.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkers } from './commands/workers.js';

/**
 * Every CLI command, one module each under `commands/`. Each module exports
 * `register(program, env)`, `env` being the environment the CLI was started with, which the
 * command's configuration is loaded from; add new commands to this list.
 */
export function registerCommands(program: Command, env: Environment): void {
  registerRun(program, env);
  registerWorker(program, env);
  registerWorkers(program, env);
  registerRuns(program, env);
  registerEvents(program, env);
  registerVerifyLog(program, env);
  registerServe(program, env);
  registerExec(program, env);
  registerReceipt(program, env);
  registerVerify(program, env);
  registerKeys(program, env);
  registerPull(program, env);
  registerHandoff(program, env);
  registerMcp(program, env);
  registerTasks(program, env);
  registerSchedules(program, env);
  registerApprovals(program, env);
  registerInit(program, env);
}
