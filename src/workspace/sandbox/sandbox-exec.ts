import { realpath } from 'node:fs/promises';
import { ValidationError } from '../../core/errors.js';
import { NotSupportedError } from '../errors.js';
import { bwrapArguments, ensureBwrap } from './bwrap.js';
import { parseAllowHosts, startEgressProxy } from './egress-proxy.js';
import { relayPrefix } from './egress-relay.js';
import { scrubbedEnvironment } from './environment.js';
import { prlimitPrefix } from './limits.js';
import { runProcess } from './run-process.js';
import type { Sandbox, SandboxCommand, SandboxResult } from './types.js';

/** Options of {@link sandboxExec}: a command plus the choice of isolation. */
export interface SandboxExecOptions extends SandboxCommand {
  /** `bwrap` (default) refuses to run without bubblewrap; `none` runs unisolated, on purpose. */
  sandbox?: 'bwrap' | 'none';
  /** Path of the bwrap binary (default `bwrap` from PATH). */
  bwrapPath?: string;
}

/** Runs one command in the sandbox the options choose (bubblewrap unless `sandbox: 'none'`). */
export function sandboxExec(options: SandboxExecOptions): Promise<SandboxResult> {
  const sandbox =
    options.sandbox === 'none'
      ? createUnsandboxed()
      : createBwrapSandbox(options.bwrapPath === undefined ? {} : { bwrapPath: options.bwrapPath });
  return sandbox.exec(options);
}

/**
 * The bubblewrap sandbox: no network (with `allowHosts`, only an allowlisting HTTP(S) proxy),
 * private /tmp, the workspace the only writable path.
 */
export function createBwrapSandbox(options: { bwrapPath?: string } = {}): Sandbox {
  const bwrapPath = options.bwrapPath ?? 'bwrap';
  return {
    kind: 'bwrap',
    isolated: true,
    async exec(command) {
      const workspace = await validate(command);
      await ensureBwrap(bwrapPath);
      const hidePaths = command.hidePaths ?? [];
      if ((command.allowHosts ?? []).length === 0) {
        const argv = [
          ...bwrapArguments(bwrapPath, workspace, hidePaths),
          ...prlimitPrefix(command.limits),
          ...toArgv(command.command),
        ];
        return runProcess(processSpec(command, workspace, argv));
      }
      // The only way out: the relay inside, over the bound socket, to the allowlisting proxy here.
      const proxy = await startEgressProxy(command.allowHosts ?? []);
      try {
        const argv = [
          ...bwrapArguments(bwrapPath, workspace, hidePaths, [proxy.socketDir]),
          ...prlimitPrefix(command.limits),
          ...relayPrefix(proxy.socketPath),
          ...toArgv(command.command),
        ];
        return await runProcess(processSpec(command, workspace, argv));
      } finally {
        await proxy.close();
      }
    },
  };
}

/**
 * No isolation: the command runs directly with the scrubbed environment, limits and caps.
 * Only for callers that chose it explicitly; descendants that leave the process group survive a timeout.
 */
export function createUnsandboxed(): Sandbox {
  return {
    kind: 'none',
    isolated: false,
    async exec(command) {
      const workspace = await validate(command);
      if ((command.allowHosts ?? []).length > 0) {
        throw new NotSupportedError(
          'allowHosts needs the bwrap sandbox: without isolation the command could reach every host; use the bwrap sandbox or remove the allowed hosts',
        );
      }
      const argv = [...prlimitPrefix(command.limits), ...toArgv(command.command)];
      return runProcess(processSpec(command, workspace, argv));
    },
  };
}

function processSpec(command: SandboxCommand, workspace: string, argv: string[]) {
  return {
    argv,
    cwd: workspace,
    env: scrubbedEnvironment(workspace, command.env),
    timeoutMs: command.timeoutMs,
    maxOutputBytes: command.maxOutputBytes,
    signal: command.signal,
  };
}

function toArgv(command: SandboxCommand['command']): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/** Checks the request and returns the workspace's real path (bind mounts need it). */
async function validate(command: SandboxCommand): Promise<string> {
  parseAllowHosts(command.allowHosts ?? []);
  if (toArgv(command.command).length === 0 || command.command === '')
    throw new ValidationError('command must not be empty', 'command');
  if (!Number.isInteger(command.timeoutMs) || command.timeoutMs <= 0) {
    throw new ValidationError('timeoutMs must be a positive integer', 'timeoutMs');
  }
  if (!Number.isInteger(command.maxOutputBytes) || command.maxOutputBytes < 0) {
    throw new ValidationError('maxOutputBytes must be a non-negative integer', 'maxOutputBytes');
  }
  for (const [name, value] of Object.entries(command.limits ?? {})) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      throw new ValidationError(`limits.${name} must be a positive integer`, `limits.${name}`);
    }
  }
  try {
    return await realpath(command.cwd);
  } catch {
    throw new ValidationError(`the workspace ${command.cwd} does not exist`, 'cwd');
  }
}
