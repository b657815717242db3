import type { Command } from 'commander';

/**
 * Every CLI command, one module each under `commands/`. Each module exports
 * `register(program)`; add new commands to this list.
 */
export function registerCommands(program: Command): void {
  void program;
}
