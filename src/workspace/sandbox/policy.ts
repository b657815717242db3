import { z } from 'zod';
import { processEnvironment } from '../../config/process-environment.js';
import type { Environment } from '../../core/environment.js';
import { ValidationError } from '../../core/errors.js';
import { parseAllowHosts } from './egress-proxy.js';
import { passedEnvironment } from './environment.js';
import { hiddenPaths, isInsideAny } from './hidden-paths.js';
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits, sandboxLimitsSchema } from './limits.js';
import { readablePaths } from './readable-paths.js';
import { sandboxUser } from './sandbox-user.js';

/**
 * The one security boundary of a run (docs/security.md): what a sandboxed command sees and may
 * do. Built once per run by {@link buildSandboxPolicy}, recorded in the contract, and taken by
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

/** What {@link buildSandboxPolicy} builds a policy from. */
export interface SandboxPolicyOptions {
  /** `bwrap` (default), or `none`: only for a local run that asked for it explicitly. */
  sandbox?: 'bwrap' | 'none';
  /** The repository the workspace was captured from: hidden, with its main worktree and git dir. */
  sourceRepository?: string;
  /** The Baton home (keys, default database): hidden. */
  batonHome?: string;
  /** A SQLite store file: hidden together with its directory (its `-wal` and `-shm` live there). */
  storePath?: string;
  /** Extra paths to show read-only (`--read`). */
  read?: readonly string[];
  /** Extra paths to hide (`--hide`). */
  hide?: readonly string[];
  allowHosts?: readonly string[];
  /** Variables set inside on top of the passed ones. */
  env?: Record<string, string>;
  /**
   * The environment Baton runs in (default: the process environment): PATH, LANG, LC_ALL, TERM,
   * TZ and the toolchain variables pass from it, its PATH shapes the readable view and its HOME
   * is hidden. Nothing else of it passes.
   */
  hostEnv?: Environment;
  /** Overrides of {@link DEFAULT_SANDBOX_LIMITS}. */
  limits?: Partial<SandboxLimits>;
  signal?: AbortSignal;
}

/**
 * Builds a run's sandbox policy: resolves every readable and hidden path to its real path, the
 * toolchains PATH points into, the environment, the limits (defaults plus overrides) and, under
 * root, the unprivileged uid the command runs as.
 */
export async function buildSandboxPolicy(options: SandboxPolicyOptions = {}): Promise<SandboxPolicy> {
  const limits = checkLimits({ ...DEFAULT_SANDBOX_LIMITS, ...definedOnly(options.limits ?? {}) });
  const allowHosts = parseAllowHosts(options.allowHosts ?? []);
  const hostEnv = options.hostEnv ?? processEnvironment();
  const hidden = await hiddenPaths({ ...options, hostEnv });
  const readable = await readablePaths(options.read ?? [], hidden, allowHosts.length > 0, hostEnv);
  const hidePaths = [...new Set([...hidden.soft, ...hidden.hard])].sort();
  return {
    version: 1,
    sandbox: options.sandbox ?? 'bwrap',
    readPaths: readable.paths,
    hidePaths,
    allowHosts,
    env: {
      ...passedEnvironment(hostEnv),
      ...toolchainEnvironment(hostEnv, readable.paths, hidden.hard),
      ...readable.env,
      ...options.env,
    },
    limits,
    runAs: sandboxUser(),
  };
}

/**
 * Variables that point tools at installations outside PATH (pyenv, rustup, nvm...); passed on
 * only when what they name is visible inside.
 */
export const TOOLCHAIN_VARIABLES: readonly string[] = [
  'PYENV_ROOT',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'NVM_DIR',
  'NVM_BIN',
  'GOROOT',
  'JAVA_HOME',
];

function toolchainEnvironment(
  hostEnv: Environment,
  readPaths: readonly string[],
  hardHidden: readonly string[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of TOOLCHAIN_VARIABLES) {
    const value = hostEnv[name];
    if (value?.startsWith('/') && isInsideAny(value, readPaths) && !isInsideAny(value, hardHidden))
      env[name] = value;
  }
  return env;
}

function definedOnly(limits: Partial<SandboxLimits>): Partial<SandboxLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

function checkLimits(limits: SandboxLimits): SandboxLimits {
  const parsed = sandboxLimitsSchema.safeParse(limits);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = `limits.${issue?.path.join('.') ?? ''}`;
  throw new ValidationError(`${field} must be a positive integer`, field);
}
