import type { Writable } from 'node:stream';
import type { PullResult } from '../../governed/pull.js';
import type { HandoffTraceEntry } from '../../handoff/handoff.js';
import type { HandoffRun } from '../../handoff/handoff-run.js';
import type { RunStatus } from '../../store/run-store.js';

/** Live progress of `baton handoff` on stderr: upload, queued, running step N, pulling. */
export interface ProgressPrinter {
  trace(entry: HandoffTraceEntry): void;
  /** Prints the run's events as they happen; resolves with its final status. */
  follow(run: HandoffRun): Promise<RunStatus>;
  pull(run: HandoffRun, isolation: 'auto' | 'branch'): Promise<PullResult>;
}

/** A {@link ProgressPrinter} writing `baton: ...` lines to `out`. */
export function progressPrinter(out: Writable): ProgressPrinter {
  const line = (text: string) => out.write(`baton: ${text}\n`);
  return {
    trace(entry) {
      if (entry.type === 'uploaded') {
        line(
          `upload: ${entry.data.sent} blobs sent (${entry.data.bytes} bytes), ${entry.data.skipped} already on the plane`,
        );
      } else if (entry.type === 'submitted') line(`queued: run ${entry.data.runId}`);
      else if (entry.type === 'denied') line(`denied by the ${entry.data.by}`);
    },
    async follow(run) {
      let step = 0;
      for await (const event of run.stream()) {
        if (event.type === 'run.started')
          line(
            `running: attempt ${event.data.attempt}${event.data.worker ? ` on ${event.data.worker}` : ''}`,
          );
        else if (event.type === 'step.started' || event.type === 'sandbox.command') {
          step += 1;
          line(`running step ${step}: ${event.type}`);
        }
      }
      return run.wait({ timeoutMs: 60_000 });
    },
    async pull(run, isolation) {
      line(`pulling: ${isolation}`);
      const result = await run.pull({ isolation });
      line(result.mode === 'applied' ? 'pulled: applied in place' : `pulled: onto branch ${result.branch}`);
      return result;
    },
  };
}
