import { COMMANDS, type CommandName } from '../setting.js';

/** The commands that run a sandboxed command. */
export const SANDBOXED: readonly CommandName[] = ['run', 'exec'];
/** The commands that run agents in this process. */
export const RUNTIME_COMMANDS: readonly CommandName[] = ['run', 'worker', 'serve', 'mcp'];
/** `baton init` writes files and opens no store. */
export const STORE_COMMANDS: readonly CommandName[] = COMMANDS.filter((name) => name !== 'init');
/** The commands that run or execute work for a while: they log (`--log-level`, `--log-format`). */
export const LOGGING_COMMANDS: readonly CommandName[] = ['run', 'exec', 'mcp', 'serve', 'worker'];
