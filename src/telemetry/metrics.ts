import { Gauge, Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from './metric-series.js';

/** Seconds: from a fast local commit to a long agent run. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
/** Seconds: store commits and HTTP requests, which should stay well under a second. */
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The values the scrape-time gauges read from the store (queue, waiting runs, workers). */
export interface StoreGauges {
  queueDepth: number;
  /** Age of the oldest queued run, in seconds (0: none queued). */
  oldestQueuedAgeSeconds: number;
  waitingRuns: number;
  liveWorkers: number;
}

/**
 * Every Prometheus metric Baton exports, registered on one registry when it is created, so a
 * scrape lists every name from the start (a counter nobody moved yet reads 0). Its own registry
 * rather than prom-client's global one: two runtimes in one process never collide.
 */
export class BatonMetrics {
  readonly registry = new Registry();
  readonly runsStarted = this.#counter('baton_runs_started_total', 'Runs started (first attempt)', ['agent']);
  readonly runsEnded = this.#counter('baton_runs_ended_total', 'Runs that reached a terminal status', [
    'agent',
    'status',
    'code',
  ]);
  readonly runDuration = this.#histogram(
    'baton_run_duration_seconds',
    'Wall time from first start to terminal status',
    ['agent', 'status'],
  );
  readonly stepDuration = this.#histogram(
    'baton_step_duration_seconds',
    'One step: model call, tools, step.completed',
    ['agent'],
  );
  readonly modelCallDuration = this.#histogram(
    'baton_model_call_duration_seconds',
    'One model request (each retry counts)',
    ['provider', 'model', 'outcome'],
  );
  readonly modelTokens = this.#counter('baton_model_tokens_total', 'Model tokens by type (input, output)', [
    'provider',
    'model',
    'type',
  ]);
  readonly modelCost = this.#counter(
    'baton_model_cost_usd_total',
    'Model cost in US dollars (priced models)',
    ['provider', 'model'],
  );
  readonly toolDuration = this.#histogram(
    'baton_tool_duration_seconds',
    'One tool call, by outcome (ok or the error code)',
    ['tool', 'outcome'],
  );
  readonly leaseTakeovers = this.#counter(
    'baton_lease_takeovers_total',
    'Attempts that resumed a run another claim had started (crash, lost lease, deferral)',
    [],
  );
  readonly streamReaders = new Gauge({
    name: 'baton_stream_readers',
    help: 'Open session stream readers in this process',
    registers: [this.registry],
  });
  readonly httpDuration = this.#histogram(
    'baton_http_request_duration_seconds',
    'HTTP requests by route pattern, method and status',
    ['route', 'method', 'status'],
    FAST_BUCKETS,
  );
  readonly commitDuration = this.#histogram(
    'baton_store_commit_duration_seconds',
    'One journal commit (append transaction)',
    [],
    FAST_BUCKETS,
  );
  readonly admissionChecks = this.#counter(
    'baton_admission_checks_total',
    'Admission checks made (run start, handoff)',
    ['point'],
  );
  readonly admissionClamps = this.#counter(
    'baton_admission_clamps_total',
    'Clamps applied by admission, by the invariant that clamped',
    ['invariant'],
  );
  readonly admissionRejects = this.#counter(
    'baton_admission_rejects_total',
    'Admission refusals, by the invariant that refused',
    ['invariant'],
  );
  #storeGauges: (() => Promise<StoreGauges>) | undefined;
  #pending: Promise<StoreGauges | undefined> | undefined;

  constructor() {
    const gauge = (name: string, help: string, pick: (values: StoreGauges) => number): void => {
      const read = () => this.#sampleStore();
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const values = await read();
          this.set(values === undefined ? 0 : pick(values));
        },
      });
    };
    gauge('baton_queue_depth', 'Runs queued', (values) => values.queueDepth);
    gauge(
      'baton_queue_oldest_age_seconds',
      'Age of the oldest queued run',
      (values) => values.oldestQueuedAgeSeconds,
    );
    gauge('baton_waiting_approvals', 'Runs waiting for a person', (values) => values.waitingRuns);
    gauge('baton_workers_live', 'Live workers announced in the store', (values) => values.liveWorkers);
  }

  /** Where the store gauges come from; read once per scrape, shared by the four gauges. */
  sampleStoreWith(sample: () => Promise<StoreGauges>): void {
    this.#storeGauges = sample;
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The `Content-Type` of {@link text}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  #sampleStore(): Promise<StoreGauges | undefined> {
    // One scrape collects four gauges concurrently: one store read serves them all.
    this.#pending ??= (this.#storeGauges?.() ?? Promise.resolve(undefined)).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): LabelledCounter<L> {
    return new LabelledCounter(name, help, labelNames, this.registry);
  }

  #histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[] = DURATION_BUCKETS,
  ): LabelledHistogram<L> {
    return new LabelledHistogram(name, help, labelNames, buckets, this.registry);
  }
}

/** A fresh set of Baton metrics (`createRuntime({ metrics })`, `createApp({ metrics })`). */
export function createMetrics(): BatonMetrics {
  return new BatonMetrics();
}
