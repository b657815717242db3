import type { SandboxLimits } from '../../core/sandbox-policy.js';
import type { HardLimits } from './hard-limits.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

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

/**
 * `prlimit` arguments (a command prefix) that apply the per-process limits, each at most the
 * hard limit the sandbox inherits (`hard`): a limit is a ceiling, and an unprivileged process
 * can lower a hard limit but never raise one, so asking for more would only make prlimit fail.
 */
export function prlimitPrefix(limits: SandboxLimits, hard: HardLimits): string[] {
  const flag = (name: keyof HardLimits, value: number) => `--${name}=${Math.min(value, hard[name])}`;
  const flags = [
    flag('as', limits.memoryBytes),
    flag('fsize', limits.fileSizeBytes),
    flag('nproc', limits.processes),
    flag('nofile', limits.openFiles),
  ];
  if (limits.cpuSeconds !== undefined) flags.push(flag('cpu', limits.cpuSeconds));
  return ['prlimit', ...flags, '--'];
}
