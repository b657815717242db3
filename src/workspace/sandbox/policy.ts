import { processEnvironment } from '../../config/process-environment.js';
import type { Environment } from '../../core/environment.js';
import { ValidationError } from '../../core/errors.js';
import { type SandboxLimits, type SandboxPolicy, sandboxLimitsSchema } from '../../core/sandbox-policy.js';
import { parseAllowHosts } from './egress-proxy.js';
import { passedEnvironment } from './environment.js';
import { hiddenPaths, isInsideAny } from './hidden-paths.js';
import { DEFAULT_SANDBOX_LIMITS } from './limits.js';
import { readablePaths } from './readable-paths.js';
import { sandboxUser } from './sandbox-user.js';

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
