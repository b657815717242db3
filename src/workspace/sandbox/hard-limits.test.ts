import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostHardLimits, parseHardLimits } from './hard-limits.js';
import { DEFAULT_SANDBOX_LIMITS, prlimitPrefix } from './limits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            600                  seconds
Max file size             unlimited            unlimited            bytes
Max processes             63704                2000                 processes
Max open files            512                  512                  files
Max address space         unlimited            unlimited            bytes
`;

describe('the hard limits a sandbox inherits', () => {
  it('reads the hard column of /proc/<pid>/limits, unlimited as Infinity', () => {
    expect(parseHardLimits(LIMITS)).toEqual({
      cpu: 600,
      fsize: Number.POSITIVE_INFINITY,
      nproc: 2000,
      nofile: 512,
      as: Number.POSITIVE_INFINITY,
    });
  });

  it("reads this process's own limits", async () => {
    // A child inherits them: its shell's `ulimit -Hn` is this process's hard limit of open files.
    const shell = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    const nofile = (await hostHardLimits()).nofile;
    expect(shell === 'unlimited' ? Number.POSITIVE_INFINITY : Number(shell)).toBe(nofile);
  });

  it('lowers a sandbox limit above a hard limit to it and keeps the others', () => {
    const prefix = prlimitPrefix({ ...DEFAULT_SANDBOX_LIMITS, cpuSeconds: 900 }, parseHardLimits(LIMITS));
    expect(prefix).toEqual([
      'prlimit',
      `--as=${DEFAULT_SANDBOX_LIMITS.memoryBytes}`,
      `--fsize=${DEFAULT_SANDBOX_LIMITS.fileSizeBytes}`,
      '--nproc=2000',
      '--nofile=512',
      '--cpu=600',
      '--',
    ]);
  });
});
