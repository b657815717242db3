import type { Command } from 'commander';
import { registerEvents } from './commands/events.js';
import { registerExec } from './commands/exec.js';
import { registerKeys } from './commands/keys.js';
import { registerMcp } from './commands/mcp.js';
import { registerPull } from './commands/pull.js';
import { registerReceipt } from './commands/receipt.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerTasks } from './commands/tasks.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyLog } from './commands/verify-log.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkers } from './commands/workers.js';

/**
 * Every CLI command, one module each under `commands/`. Each module exports
 * `register(program)`; add new commands to this list.
 */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerWorker(program);
  registerWorkers(program);
  registerRuns(program);
  registerEvents(program);
  registerVerifyLog(program);
  registerServe(program);
  registerExec(program);
  registerReceipt(program);
  registerVerify(program);
  registerKeys(program);
  registerPull(program);
  registerMcp(program);
  registerTasks(program);
}
