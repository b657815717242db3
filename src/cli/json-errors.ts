import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { toErrorBody } from '../core/errors.js';
import { exitCodeForError } from './exit-codes.js';
import { writeJsonLine } from './options.js';

/**
 * Makes `command --json` report a failure before its work ran — a parse error (no argument, an
 * unknown flag, an unusable flag value), an unusable `BATON_*` variable, any error Baton throws —
 * as one JSON line on stdout, `{ phase: 'baton', exitCode, error: { code, message } }`, so a
 * script reading stdout gets an answer whatever went wrong. Stderr and the exit code are as
 * without `--json`. Returns the action wrapper to use around the command's own action.
 */
export function reportFailuresAsJson(
  command: Command,
): (action: (...args: unknown[]) => Promise<void>) => (...args: unknown[]) => Promise<void> {
  command.exitOverride((error) => {
    if (error.exitCode !== 0 && wantsJson(command)) writeFailure(error);
    throw error;
  });
  return (action) =>
    async (...args) => {
      try {
        await action(...args);
      } catch (error) {
        if (wantsJson(command)) writeFailure(error);
        throw error;
      }
    };
}

function writeFailure(error: unknown): void {
  const body =
    error instanceof CommanderError
      ? { code: 'usage_error', message: error.message.replace(/^error: /, '') }
      : toErrorBody(error);
  writeJsonLine({ phase: 'baton', exitCode: exitCodeForError(error), error: body });
}

/**
 * `--json` was given to `command`. Read from the raw arguments too: a parse error can stop
 * Commander before it reached a `--json` given later on the line. Words after `--` are the
 * command's own arguments, never Baton's flags.
 */
function wantsJson(command: Command): boolean {
  if (command.opts().json === true) return true;
  let root = command;
  while (root.parent) root = root.parent;
  // Commander keeps the words it parsed on the root command; its typings leave `rawArgs` out.
  const words = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const end = words.indexOf('--');
  return (end === -1 ? words : words.slice(0, end)).includes('--json');
}
