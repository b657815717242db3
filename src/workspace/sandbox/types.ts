import type { Environment } from '../../core/environment.js';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';

/** Legacy per-command limits, accepted by {@link SandboxCommand} when no policy is given. */
export interface SandboxCommandLimits {
  cpuSeconds?: number;
  memoryBytes?: number;
  fileSizeBytes?: number;
  processes?: number;
  openFiles?: number;
}

/** What to run, under which policy. */
export interface SandboxCommand {
  /** The workspace: the working directory and the only writable path. */
  cwd: string;
  /** An argv array, or a string run by `sh -c`. */
  command: readonly string[] | string;
  /**
   * The run's sandbox policy ({@link buildSandboxPolicy}). Without one, a default policy is
   * built from `hidePaths`, `allowHosts` and `limits`; a run always passes its own.
   */
  policy?: SandboxPolicy;
  /** A git directory shown read-only as the workspace's `.git` (the host-private one). */
  gitDir?: string;
  /** Variables set for this command on top of the policy's environment. */
  env?: Record<string, string>;
  /** Wall time; at most the policy's `limits.timeoutMs` (its value when absent). */
  timeoutMs?: number;
  /** Cap on each of stdout and stderr (the tail is kept); at most the policy's `limits.outputBytes`. */
  maxOutputBytes?: number;
  /** Without a policy: reachable hosts through the allowlisting proxy. */
  allowHosts?: readonly string[];
  /** Without a policy: limits over the defaults. */
  limits?: SandboxCommandLimits;
  /** Without a policy: extra paths to hide. */
  hidePaths?: readonly string[];
  /** Without a policy: the environment Baton runs in, which the default policy is built from (see {@link SandboxPolicyOptions.hostEnv}). */
  hostEnv?: Environment;
  signal?: AbortSignal;
  /** Called with each complete line of stdout as it arrives (a vendor agent's event stream). */
  onStdoutLine?: (line: string) => void;
}

/** How a sandboxed command ended. */
export interface SandboxResult {
  /** Null when the command was killed by a signal (`signal` says which). */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when stdout or stderr exceeded `maxOutputBytes` and only its tail was kept. */
  truncated: boolean;
}

/** The sandbox port: one implementation per isolation technology, all passing `sandboxContract`. */
export interface Sandbox {
  /** `bwrap` or `none`. */
  readonly kind: string;
  /** True when the implementation confines reads, writes, network and processes (the contract checks it). */
  readonly isolated: boolean;
  exec(command: SandboxCommand): Promise<SandboxResult>;
}
