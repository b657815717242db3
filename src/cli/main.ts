import { Command, CommanderError } from 'commander';
import { errorMessage } from '../core/errors.js';
import { packageVersion } from '../server/package-version.js';
import { registerCommands } from './commands.js';
import { exitCodeForError } from './exit-codes.js';

/**
 * `baton` entry point: parses arguments, dispatches, maps errors to exit codes (cli/exit-codes.ts).
 * The process environment is read here, at the edge, and nowhere below: every command loads its
 * configuration from `env` and passes down what the library needs.
 */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const program = new Command('baton')
    .description('Durable, governed AI-agent runs')
    .version(packageVersion(), '-V, --version', 'print the version of baton-runtime')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerCommands(program, env);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has already printed its own parse errors; everything else is one line here.
    if (!(error instanceof CommanderError)) {
      process.stderr.write(`baton: ${errorMessage(error).split('\n')[0]}\n`);
    }
    process.exitCode = exitCodeForError(error);
  }
}

await main(process.argv, process.env);
