import { CommanderError } from 'commander';
import type { ErrorCode } from '../core/error-codes.js';
import { isBatonError } from '../core/errors.js';
import type { RunStatus } from '../store/run-store.js';

/**
 * The exit codes of every `baton` command, in one table (documented in the README):
 * 0 success; 1 the work failed (a run failed, a receipt or log did not verify); 2 usage or
 * configuration; 3 environment (the store unreachable or corrupt, bubblewrap missing); 4 the
 * work is left waiting for a person. `baton exec` exits with its command's own code once the
 * command ran.
 */
export const EXIT = Object.freeze({
  success: 0,
  workFailed: 1,
  usage: 2,
  environment: 3,
  waiting: 4,
});

// Error classes by who must act, matched by name along the prototype chain so that a subclass
// (and a copy of the class from a second copy of Baton's modules) maps like its base.
const CLASS_EXIT_CODES: readonly [string, number][] = [
  ['UserError', EXIT.usage],
  ['ValidationError', EXIT.usage],
  ['NotFoundError', EXIT.usage],
  ['ConflictError', EXIT.usage],
  ['InvalidTokenError', EXIT.usage],
  ['NotSupportedError', EXIT.usage],
  ['ForbiddenError', EXIT.usage],
  ['EnvironmentError', EXIT.environment],
];

// A store that cannot be opened, is corrupt or was written by a newer Baton is the environment,
// whichever class reports it.
const STORE_ENVIRONMENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'store_open_failed',
  'store_corrupt',
  'schema_too_new',
]);

// Postgres startup failures the URL can fix are configuration; the rest are the environment.
const POSTGRES_CONFIGURATION_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'db_url_invalid',
  'db_auth_failed',
]);

/** The exit code for an error that ended a command. */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse failure is a usage error, already printed.
    return error.exitCode === 0 ? EXIT.success : EXIT.usage;
  }
  if (isBatonError(error)) {
    if (STORE_ENVIRONMENT_CODES.has(error.code)) return EXIT.environment;
    const classes = classNames(error);
    for (const [name, code] of CLASS_EXIT_CODES) if (classes.includes(name)) return code;
    if (classes.includes('PostgresStoreError')) {
      return POSTGRES_CONFIGURATION_CODES.has(error.code) ? EXIT.usage : EXIT.environment;
    }
    return EXIT.workFailed;
  }
  const code = (error as { code?: unknown } | null)?.code;
  // The SQLite driver's errors (a corrupt or unopenable file) and the system's (a directory
  // that cannot be created, a full disk) mean the machine is not fit for the work.
  if (typeof code === 'string' && (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code)))
    return EXIT.environment;
  return EXIT.workFailed;
}

// A run that failed for one of these never did its work: the configuration must change (a
// model API key, a model spec, an agent for a built-in profile). A cost limit on an unpriced
// model stays a failed run (exit 1): the run was refused by its own limit, as documented.
const CONFIGURATION_RUN_FAILURES: ReadonlySet<string> = new Set<ErrorCode>([
  'missing_api_key',
  'invalid_model',
  'unknown_provider',
  'no_agent',
]);

/**
 * The exit code for a run as it was left: succeeded, failed or cancelled, or waiting for a
 * person; a run that failed on configuration (`missing_api_key`...) is a configuration error.
 */
export function exitCodeForRun(status: RunStatus, error?: { code: string } | null): number {
  if (status === 'succeeded') return EXIT.success;
  if (status === 'waiting') return EXIT.waiting;
  if (status === 'failed' && error && CONFIGURATION_RUN_FAILURES.has(error.code)) return EXIT.usage;
  return EXIT.workFailed;
}

function classNames(error: object): string[] {
  const names: string[] = [];
  for (
    let prototype = Object.getPrototypeOf(error);
    prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    names.push((prototype as { constructor?: { name?: string } }).constructor?.name ?? '');
  }
  return names;
}
