// The CPU time of the calling thread alone. `process.cpuUsage` counts every thread of the
// process: V8's compiler and GC helper threads and SQLite's checkpoint thread, whose work lands
// in whichever measured run it overlaps. The thread's own time is the step path's cost, with
// less of that noise. Linux's scheduler keeps it in nanoseconds (`/proc/thread-self/schedstat`,
// its first field); Node 20 has no `process.threadCpuUsage`.
import { readFileSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Milliseconds of CPU the calling thread has used, or NaN where the kernel does not say. */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync(SCHEDSTAT, 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}
