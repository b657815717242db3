import { z } from 'zod';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Every limit a sandboxed command runs under; a policy always carries all of them. */
export const sandboxLimitsSchema = z
  .object({
    /** Address space of each process (RLIMIT_AS), and of the whole tree where a memory cgroup can be made. */
    memoryBytes: z.number().int().positive(),
    /** Processes (RLIMIT_NPROC of the sandbox uid, and a pids cgroup where one can be made). */
    processes: z.number().int().positive(),
    /** Size of the sandbox's private `/tmp` (which also holds its HOME). */
    tmpBytes: z.number().int().positive(),
    /** Wall time of one command; a command may ask for less, never more. */
    timeoutMs: z.number().int().positive(),
    /** Bytes kept of each of stdout and stderr (the tail). */
    outputBytes: z.number().int().nonnegative(),
    /** Largest result patch; a larger one fails the run with `patch_too_large`. */
    patchBytes: z.number().int().positive(),
    /** Largest file the command may write (RLIMIT_FSIZE). */
    fileSizeBytes: z.number().int().positive(),
    /** Open file descriptors (RLIMIT_NOFILE). */
    openFiles: z.number().int().positive(),
    /** CPU seconds (RLIMIT_CPU); unlimited when absent. */
    cpuSeconds: z.number().int().positive().optional(),
  })
  .strict();

/** The limits of a {@link SandboxPolicy}. */
export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

/** The defaults, documented in docs/security.md; each is overridable per run. */
export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 2 * GIB,
  processes: 4096,
  tmpBytes: 512 * MIB,
  timeoutMs: 10 * 60_000,
  outputBytes: MIB,
  patchBytes: 50 * MIB,
  fileSizeBytes: GIB,
  openFiles: 1024,
});

/** `prlimit` arguments (a command prefix) that apply the per-process limits. */
export function prlimitPrefix(limits: SandboxLimits): string[] {
  const flags = [
    `--as=${limits.memoryBytes}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--nproc=${limits.processes}`,
    `--nofile=${limits.openFiles}`,
  ];
  if (limits.cpuSeconds !== undefined) flags.push(`--cpu=${limits.cpuSeconds}`);
  return ['prlimit', ...flags, '--'];
}
