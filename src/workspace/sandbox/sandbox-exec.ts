import { chmod, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';
import { NotSupportedError } from '../errors.js';
import { bwrapPrefix, ensureBwrap } from './bwrap.js';
import { createTreeCgroup, joinCgroupPrefix } from './cgroup.js';
import { type EgressProxy, parseAllowHosts, startEgressProxy } from './egress-proxy.js';
import { relayEnvironment, relayPrefix } from './egress-relay.js';
import { commandEnvironment } from './environment.js';
import { hostHardLimits } from './hard-limits.js';
import { prlimitPrefix } from './limits.js';
import { buildSandboxPolicy } from './policy.js';
import { type ProcessSpec, runProcess } from './run-process.js';
import { handOverTree } from './sandbox-user.js';
import type { Sandbox, SandboxCommand, SandboxResult } from './types.js';
import { SANDBOX_HOME, viewArguments } from './view.js';

/** Options of {@link sandboxExec}: a command plus, without a policy, the choice of isolation. */
export interface SandboxExecOptions extends SandboxCommand {
  /** Without a policy: `bwrap` (default) refuses to run without bubblewrap; `none` runs unisolated, on purpose. */
  sandbox?: 'bwrap' | 'none';
  /** Path of the bwrap binary (default `bwrap` from PATH). */
  bwrapPath?: string;
}

/** Runs one command in the sandbox its policy chooses (bubblewrap unless the policy says `none`). */
export async function sandboxExec(options: SandboxExecOptions): Promise<SandboxResult> {
  const mode = options.policy?.sandbox ?? options.sandbox ?? 'bwrap';
  const sandbox =
    mode === 'none'
      ? createUnsandboxed()
      : createBwrapSandbox(options.bwrapPath === undefined ? {} : { bwrapPath: options.bwrapPath });
  return sandbox.exec(options);
}

/**
 * The bubblewrap sandbox: a deny-by-default read-only view with the workspace the only
 * writable path, hidden paths covered by real path, no network (with `allowHosts`, only an
 * allowlisting HTTP(S) proxy), no privilege, and the policy's limits.
 */
export function createBwrapSandbox(options: { bwrapPath?: string } = {}): Sandbox {
  const bwrapPath = options.bwrapPath ?? 'bwrap';
  return {
    kind: 'bwrap',
    isolated: true,
    async exec(command) {
      const { workspace, policy } = await prepare(command, 'bwrap');
      await ensureBwrap(bwrapPath);
      if (policy.runAs) await handOverTree(workspace, policy.runAs);
      // The only way out: the relay inside, over the bound socket, to the allowlisting proxy here.
      const proxy = policy.allowHosts.length > 0 ? await startEgressProxy(policy.allowHosts) : undefined;
      const cgroup = await createTreeCgroup(policy.limits);
      try {
        if (proxy && policy.runAs) await shareProxySocket(proxy);
        const view = viewArguments(policy, {
          workspace,
          gitDir: command.gitDir,
          readOnly: proxy ? [proxy.socketDir] : [],
        });
        const argv = [
          ...(cgroup ? joinCgroupPrefix(cgroup) : []),
          ...bwrapPrefix({ bwrapPath, view, workspace, home: SANDBOX_HOME, runAs: policy.runAs }),
          ...prlimitPrefix(policy.limits, await hostHardLimits()),
          ...(proxy ? relayPrefix(proxy.socketPath) : []),
          ...toArgv(command.command),
        ];
        return await runProcess(
          processSpec(
            command,
            policy,
            workspace,
            argv,
            commandEnvironment(policy.env, SANDBOX_HOME, '/tmp', {
              ...command.env,
              ...(proxy && relayEnvironment()),
            }),
          ),
        );
      } finally {
        await cgroup?.remove();
        await proxy?.close();
      }
    },
  };
}

/**
 * No isolation: the command runs directly with the policy's environment, a private empty HOME
 * and the per-process limits. Only for local runs that chose it explicitly; descendants that
 * leave the process group survive a timeout.
 */
export function createUnsandboxed(): Sandbox {
  return {
    kind: 'none',
    isolated: false,
    async exec(command) {
      const { workspace, policy } = await prepare(command, 'none');
      if (policy.allowHosts.length > 0) {
        throw new NotSupportedError(
          'allowHosts needs the bwrap sandbox: without isolation the command could reach every host; use the bwrap sandbox or remove the allowed hosts',
        );
      }
      const home = await mkdtemp(join(tmpdir(), 'baton-home-'));
      try {
        const argv = [...prlimitPrefix(policy.limits, await hostHardLimits()), ...toArgv(command.command)];
        const env = commandEnvironment(policy.env, home, tmpdir(), command.env);
        return await runProcess(processSpec(command, policy, workspace, argv, env));
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  };
}

// Under root the command runs as the sandbox uid, which must reach the proxy's socket: the
// directory becomes traversable (its name is random) and the socket connectable.
async function shareProxySocket(proxy: EgressProxy): Promise<void> {
  await chmod(proxy.socketDir, 0o711);
  await chmod(proxy.socketPath, 0o666);
}

function processSpec(
  command: SandboxCommand,
  policy: SandboxPolicy,
  workspace: string,
  argv: string[],
  env: Record<string, string>,
): ProcessSpec {
  return {
    argv,
    cwd: workspace,
    env,
    timeoutMs: Math.min(command.timeoutMs ?? policy.limits.timeoutMs, policy.limits.timeoutMs),
    maxOutputBytes: Math.min(command.maxOutputBytes ?? policy.limits.outputBytes, policy.limits.outputBytes),
    signal: command.signal,
    onStdoutLine: command.onStdoutLine,
  };
}

function toArgv(command: SandboxCommand['command']): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/** Checks the request, returns the workspace's real path (bind mounts need it) and the policy to apply. */
async function prepare(
  command: SandboxCommand,
  mode: 'bwrap' | 'none',
): Promise<{ workspace: string; policy: SandboxPolicy }> {
  if (toArgv(command.command).length === 0 || command.command === '')
    throw new ValidationError('command must not be empty', 'command');
  if (command.timeoutMs !== undefined && (!Number.isInteger(command.timeoutMs) || command.timeoutMs <= 0)) {
    throw new ValidationError('timeoutMs must be a positive integer', 'timeoutMs');
  }
  if (
    command.maxOutputBytes !== undefined &&
    (!Number.isInteger(command.maxOutputBytes) || command.maxOutputBytes < 0)
  ) {
    throw new ValidationError('maxOutputBytes must be a non-negative integer', 'maxOutputBytes');
  }
  const policy =
    command.policy ??
    (await buildSandboxPolicy({
      sandbox: mode,
      allowHosts: parseAllowHosts(command.allowHosts ?? []),
      hide: command.hidePaths ?? [],
      ...(command.hostEnv && { hostEnv: command.hostEnv }),
      limits: {
        ...command.limits,
        // An explicit per-command cap raises the default ceiling when no policy sets one.
        ...(command.timeoutMs !== undefined && { timeoutMs: command.timeoutMs }),
        ...(command.maxOutputBytes !== undefined && { outputBytes: command.maxOutputBytes }),
      },
    }));
  if (policy.sandbox !== mode) {
    throw new ValidationError(`the policy asks for sandbox ${policy.sandbox}, not ${mode}`, 'policy.sandbox');
  }
  try {
    return { workspace: await realpath(command.cwd), policy };
  } catch {
    throw new ValidationError(`the workspace ${command.cwd} does not exist`, 'cwd');
  }
}
