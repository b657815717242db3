import type { SandboxLimits } from './types.js';

const DEFAULT_LIMITS: Required<Pick<SandboxLimits, 'fileSizeBytes' | 'processes' | 'openFiles'>> = {
  fileSizeBytes: 1024 * 1024 * 1024,
  processes: 4096,
  openFiles: 1024,
};

/** `prlimit` arguments (a command prefix) for the given limits plus defaults. */
export function prlimitPrefix(limits: SandboxLimits = {}): string[] {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  const flags = [
    `--fsize=${merged.fileSizeBytes}`,
    `--nproc=${merged.processes}`,
    `--nofile=${merged.openFiles}`,
  ];
  if (merged.cpuSeconds !== undefined) flags.push(`--cpu=${merged.cpuSeconds}`);
  if (merged.memoryBytes !== undefined) flags.push(`--as=${merged.memoryBytes}`);
  return ['prlimit', ...flags, '--'];
}
