import { z } from 'zod';

// The sandbox policy is pure data: the workspace layer builds and enforces it, and the proof
// layer signs and verifies it inside contracts, so its schema lives below both.

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

/** The limits of a `SandboxPolicy`. */
export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

/**
 * The one security boundary of a run (docs/security.md): what a sandboxed command sees and may
 * do. Built once per run by `buildSandboxPolicy` (src/workspace/sandbox/policy.ts), recorded in the contract, and taken by
 * every sandboxed execution of the run. Paths are real paths (symlinks and `..` resolved).
 */
export const sandboxPolicySchema = z
  .object({
    version: z.literal(1),
    /** `none` only for a local `baton exec` / `baton run --workspace` that asked for it. */
    sandbox: z.enum(['bwrap', 'none']),
    /** Visible read-only: the system directories, PATH and its toolchains, `--read` paths. */
    readPaths: z.array(z.string()),
    /** Never visible, even inside a readable path (toolchains under a hidden HOME excepted). */
    hidePaths: z.array(z.string()),
    /** Reachable through the allowlisting proxy; nothing else is. */
    allowHosts: z.array(z.string()),
    /** The environment inside, besides HOME and TMPDIR (which the sandbox sets). */
    env: z.record(z.string(), z.string()),
    limits: sandboxLimitsSchema,
    /** The unprivileged uid/gid the command runs as when Baton runs as root; null otherwise. */
    runAs: z.object({ uid: z.number().int(), gid: z.number().int() }).strict().nullable(),
  })
  .strict();

/** A run's sandbox policy (see {@link sandboxPolicySchema}). */
export type SandboxPolicy = z.infer<typeof sandboxPolicySchema>;
