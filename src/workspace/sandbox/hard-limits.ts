import { readFile } from 'node:fs/promises';

/** The hard resource limits a sandbox inherits from Baton's process (Infinity: unlimited). */
export interface HardLimits {
  as: number;
  fsize: number;
  nproc: number;
  nofile: number;
  cpu: number;
}

const UNLIMITED: Readonly<HardLimits> = Object.freeze({
  as: Number.POSITIVE_INFINITY,
  fsize: Number.POSITIVE_INFINITY,
  nproc: Number.POSITIVE_INFINITY,
  nofile: Number.POSITIVE_INFINITY,
  cpu: Number.POSITIVE_INFINITY,
});

// The rows of /proc/<pid>/limits, by the prlimit resource they stand for.
const ROWS: Readonly<Record<string, keyof HardLimits>> = {
  'Max address space': 'as',
  'Max file size': 'fsize',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max cpu time': 'cpu',
};

/** Reads the hard limits out of the text of `/proc/<pid>/limits`; a row it lacks stays unlimited. */
export function parseHardLimits(text: string): HardLimits {
  const limits: HardLimits = { ...UNLIMITED };
  for (const line of text.split('\n')) {
    // "Max open files            1024                 524288               files"
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const key = match ? ROWS[match[1] ?? ''] : undefined;
    if (!match || key === undefined) continue;
    const hard = match[3] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[3]);
    if (!Number.isNaN(hard)) limits[key] = hard;
  }
  return limits;
}

/**
 * This process's hard limits. Every process of the sandbox inherits them and, without
 * CAP_SYS_RESOURCE in the host's user namespace (which no sandboxed `prlimit` has, not even
 * under root), cannot raise them: a sandbox limit above one is lowered to it instead of failing.
 */
export async function hostHardLimits(): Promise<HardLimits> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => undefined);
  // Without /proc (not Linux, or hidden): no known ceiling; prlimit reports a limit it cannot set.
  return text === undefined ? { ...UNLIMITED } : parseHardLimits(text);
}
