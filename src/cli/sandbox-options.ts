import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { SandboxLimits } from '../core/sandbox-policy.js';
import type { GovernedRunOptions } from '../governed/start-governed.js';
import { resolveBatonHome } from '../proof/baton-home.js';
import { DEFAULT_DB_PATH } from '../store/open-store.js';
import { integerAtLeast } from './options.js';

/** The sandbox flags `baton exec` and `baton run --workspace` share. */
export interface SandboxFlags {
  read: string[];
  hide: string[];
  memory?: number;
  processes?: number;
  tmpSize?: number;
  maxPatch?: number;
  db?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte count: an integer, optionally with a binary unit (`512M`, `2g`, `64k`). */
export function byteSize(value: string): number {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(value.trim());
  const bytes = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('expected a byte count such as 512M or 2G');
  return bytes;
}

/** Adds `--read`, `--hide` and the limit flags (each recorded in the run's contract). */
export function addSandboxOptions(command: Command): Command {
  return command
    .option('--read <path>', 'let sandboxed commands read this path (read-only; repeatable)', collect, [])
    .option(
      '--hide <path>',
      'hide this path from sandboxed commands, by its real path (repeatable)',
      collect,
      [],
    )
    .option(
      '--memory <bytes>',
      'address space per process, and per command tree under root (default 2G)',
      byteSize,
    )
    .option('--processes <n>', 'processes the command may run (default 4096)', integerAtLeast(1))
    .option(
      '--tmp-size <bytes>',
      "size of the sandbox's private /tmp, which holds its HOME (default 512M)",
      byteSize,
    )
    .option(
      '--max-patch <bytes>',
      'largest result patch; a larger one fails the run (default 50M)',
      byteSize,
    );
}

/**
 * The governed-run options the sandbox flags stand for: extra readable and hidden paths, the
 * limits, and the Baton home and store file of this invocation (both hidden by real path).
 */
export function sandboxRunOptions(
  flags: SandboxFlags,
  home: string = resolveBatonHome({ db: flags.db }),
): Pick<GovernedRunOptions, 'readPaths' | 'hidePaths' | 'batonHome' | 'storePath' | 'limits'> {
  const limits: Partial<SandboxLimits> = {
    ...(flags.memory !== undefined && { memoryBytes: flags.memory }),
    ...(flags.processes !== undefined && { processes: flags.processes }),
    ...(flags.tmpSize !== undefined && { tmpBytes: flags.tmpSize }),
    ...(flags.maxPatch !== undefined && { patchBytes: flags.maxPatch }),
  };
  const db = flags.db ?? process.env.BATON_DB ?? DEFAULT_DB_PATH;
  const isFile = db !== ':memory:' && db !== 'memory:' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(db);
  return {
    readPaths: flags.read,
    hidePaths: flags.hide,
    batonHome: home,
    ...(isFile && { storePath: resolve(db) }),
    limits,
  };
}
