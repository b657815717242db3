import type { Store } from '../store/store.js';
import type { BatonMetrics, StoreGauges } from '../telemetry/metrics.js';

/** The most runs one scrape counts per status; a deeper queue reads as this many (and says it is at least that). */
const COUNT_CAP = 10_000;

/** Feeds the scrape-time gauges of `metrics` (queue depth and age, waiting runs, live workers) from `store`. */
export function sampleStoreGauges(metrics: BatonMetrics, store: Store): void {
  metrics.sampleStoreWith(async (): Promise<StoreGauges> => {
    const [queued, waiting, workers] = await Promise.all([
      store.listRuns({ status: ['queued'], limit: COUNT_CAP }),
      store.listRuns({ status: ['waiting'], limit: COUNT_CAP }),
      store.listWorkers(),
    ]);
    const oldest = Math.min(...queued.items.map((run) => Date.parse(run.createdAt)));
    return {
      queueDepth: queued.items.length,
      oldestQueuedAgeSeconds: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
      waitingRuns: waiting.items.length,
      liveWorkers: workers.length,
    };
  });
}
