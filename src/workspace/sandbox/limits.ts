import type { SandboxLimits } from '../../core/sandbox-policy.js';

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
