/** Resource limits applied through `prlimit` to the sandboxed command and its descendants. */
export interface SandboxLimits {
  /** CPU seconds (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Address-space bytes (RLIMIT_AS). Node and JVMs reserve a lot of virtual memory: set generously. */
  memoryBytes?: number;
  /** Largest file the command may write (RLIMIT_FSIZE); default 1 GiB. */
  fileSizeBytes?: number;
  /** Processes of the user (RLIMIT_NPROC); default 4096. Root is exempt from this limit. */
  processes?: number;
  /** Open file descriptors (RLIMIT_NOFILE); default 1024. */
  openFiles?: number;
}

/** What to run and under which caps. */
export interface SandboxCommand {
  /** The workspace: the working directory and the only writable path. */
  cwd: string;
  /** An argv array, or a string run by `sh -c`. */
  command: readonly string[] | string;
  /** Variables passed on top of the scrubbed base environment (PATH, LANG, TERM, HOME, TMPDIR). */
  env?: Record<string, string>;
  timeoutMs: number;
  /**
   * Hosts (`host`, `host:port`, `*.domain`) reachable through an allowlisting HTTP(S) proxy that
   * `HTTP_PROXY`/`HTTPS_PROXY` point at; nothing else is. Needs the bwrap sandbox.
   */
  allowHosts?: readonly string[];
  /** Cap on each of stdout and stderr; the tail is kept. */
  maxOutputBytes: number;
  limits?: SandboxLimits;
  /** Directories hidden behind an empty tmpfs (the source repository, Baton's keys...). */
  hidePaths?: readonly string[];
  signal?: AbortSignal;
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
  /** True when the implementation confines writes, network and processes (the contract checks it). */
  readonly isolated: boolean;
  exec(command: SandboxCommand): Promise<SandboxResult>;
}
