import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS } from '../telemetry/logger.js';

/** `--db <path>`: the store (a SQLite file, `postgres://...`, or `:memory:`); else `BATON_DB` or `.baton/baton.db`. */
export function addDbOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--db <path>',
      'database: SQLite file or postgres:// URL (default: $BATON_DB or .baton/baton.db)',
    ),
  );
}

/** A commander parser for integers >= `min`; bad values are usage errors (exit 2). */
export function integerAtLeast(min: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}`);
    }
    return parsed;
  };
}

/** `--lease-ttl <ms>`. */
export function leaseTtlOption(): Option {
  return new Option('--lease-ttl <ms>', 'lease TTL in ms (default: $BATON_LEASE_TTL_MS or 30000)').argParser(
    integerAtLeast(100),
  );
}

/**
 * `--repo-root <dir>` (repeatable): where the repositories that remote callers may name as a
 * delegated task's `repoRoot` must lie. Each must be an existing directory; unset means the
 * working directory (the caller applies that default).
 */
export function repoRootOption(): Option {
  return new Option(
    '--repo-root <dir>',
    'delegated coding tasks may only name repositories under this directory (repeatable; default: the working directory)',
  ).argParser((value: string, previous: string[] | undefined) => {
    if (!statSync(value, { throwIfNoEntry: false })?.isDirectory()) {
      throw new InvalidArgumentError(`${value} is not a directory`);
    }
    return [...(previous ?? []), resolve(value)];
  });
}

/** Writes one JSON value per line; stdout carries nothing else in `--json` modes. */
export function writeJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** `--log-level <level>`: what the JSON-lines log on stderr keeps (default `info`). */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log lines kept on stderr (JSON lines)')
    .choices(LOG_LEVELS)
    .default('info');
}
