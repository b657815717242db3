import { matchesClaimFilter } from '../store/claim-filter.js';
import type { RunRecord } from '../store/run-store.js';
import type { WorkerRecord } from '../store/worker-registry.js';

/** True when `worker` would claim `run`: it serves it now, or would load the module it recorded. */
export function workerServes(worker: WorkerRecord, run: RunRecord): boolean {
  if (matchesClaimFilter(run, worker)) return true;
  const module = run.agentModule;
  if (!worker.loadsModules || module === null) return false;
  const tried = [...worker.agentModules, ...worker.unloadableModules].some(
    (entry) => entry.module === module,
  );
  return !tried;
}

/**
 * Why a queued run is not being executed, when no live worker would claim it (none runs, or
 * none serves its agent, with what the workers said about its module); undefined when some
 * live worker serves it, or the run is not queued.
 */
export function queuedReason(run: RunRecord, workers: readonly WorkerRecord[]): string | undefined {
  if (run.status !== 'queued') return undefined;
  if (workers.length === 0) return 'no worker is running on this database; start `baton worker`';
  if (workers.some((worker) => workerServes(worker, run))) return undefined;
  const module = run.agentModule === null ? 'it recorded no agent module' : `module ${run.agentModule}`;
  const failures = workers.flatMap((worker) =>
    worker.unloadableModules
      .filter((entry) => entry.module === run.agentModule)
      .map((entry) => `${worker.id} could not load it: ${entry.reason}`),
  );
  return [`no live worker serves agent ${JSON.stringify(run.agent)} (${module})`, ...failures].join('; ');
}
