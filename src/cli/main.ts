import { Command, CommanderError } from 'commander';
import { errorMessage, isBatonError } from '../core/errors.js';
import { registerCommands } from './commands.js';
import { EXIT_ENVIRONMENT, EXIT_USAGE, UsageError } from './usage-error.js';

/** `baton` entry point: parses arguments, dispatches, maps errors to exit codes. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('baton')
    .description('Durable, governed AI-agent runs')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse failure is a usage error already printed.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const message = errorMessage(error);
  process.stderr.write(`baton: ${message.split('\n')[0]}\n`);
  if (error instanceof UsageError) return EXIT_USAGE;
  if (isBatonError(error) && error.code === 'usage') return EXIT_USAGE;
  // The machine, not the call, is at fault: the database is damaged.
  if (isBatonError(error) && error.code === 'store_corrupt') return EXIT_ENVIRONMENT;
  return 1;
}

await main(process.argv);
