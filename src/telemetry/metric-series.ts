import type { Metric, Registry } from 'prom-client';

/** A label set: every declared label name is given (typed by the metric's label names). */
export type LabelSet<L extends string> = Record<L, string | number>;

/** One series of a counter, bound to its labels: what the hot path moves. */
export interface CounterSeries {
  inc(value?: number): void;
}

/** One series of a histogram, bound to its labels: what the hot path moves. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** A sample as prom-client's registry renders it (`getForPromString`). */
interface ExposedSample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  sharedLabels?: Record<string, string | number>;
  /** Exemplars are off; prom-client's buckets still carry the field, as null. */
  exemplar?: null;
}

/** What prom-client's registry reads from a metric at scrape time. */
interface Exposition {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: ExposedSample[];
  aggregator: 'sum';
}

/** Keeps label values apart in a series key; no label value of ours contains it. */
const KEY_SEPARATOR = '\u0001';

/**
 * A metric whose series are plain accumulators, looked up by their label values once and kept.
 * prom-client's own counters and histograms check, hash and copy the labels of every
 * observation (a histogram allocates a closure per call and indexes its buckets by float
 * strings), which cost more than everything else a traced step observes together. These
 * register on the same prom-client registry and hand it the very samples prom-client's would
 * at scrape time, so the registry renders the same text (checked against prom-client in
 * metric-series.test.ts).
 */
abstract class SeriesMetric<L extends string, S extends { moved: boolean }> {
  readonly #series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    registry: Registry,
    private readonly newSeries: (labels: Record<string, string | number>) => S,
  ) {
    // Like prom-client, a metric without labels lists its one series, at zero, from the start.
    this.zeroUnlabelled();
    // The registry reads only name, help, type, aggregator, get/getForPromString and reset.
    registry.registerMetric(this as unknown as Metric);
  }

  /** How the metric sums across processes (prom-client's cluster aggregation). */
  get aggregator(): 'sum' {
    return 'sum';
  }

  /** Clears every series (prom-client's `Registry.resetMetrics`). */
  reset(): void {
    this.#series.clear();
  }

  /** The samples of the series that moved, in the order they first appeared. */
  getForPromString(): Promise<Exposition> {
    const values: ExposedSample[] = [];
    for (const series of this.#series.values()) if (series.moved) this.expose(series, values);
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  /** The samples with their series' labels merged in (prom-client's `get`, for `getMetricsAsJSON`). */
  async get(): Promise<Exposition> {
    const exposition = await this.getForPromString();
    const values = exposition.values.map(({ labels, sharedLabels, ...sample }) => ({
      ...sample,
      labels: { ...labels, ...sharedLabels },
    }));
    return { ...exposition, values };
  }

  /** Lists the one series of a metric without labels, at zero. */
  protected zeroUnlabelled(): void {
    if (this.labelNames.length === 0) this.seriesOf({} as LabelSet<L>).moved = true;
  }

  /** The series of `labels`, made at its first use. */
  protected seriesOf(labels: LabelSet<L>): S {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}${KEY_SEPARATOR}`;
    let series = this.#series.get(key);
    if (!series) {
      // Labels in declared order, the order the text lists them in.
      const ordered: Record<string, string | number> = {};
      for (const name of this.labelNames) ordered[name] = labels[name];
      series = this.newSeries(ordered);
      this.#series.set(key, series);
    }
    return series;
  }

  abstract readonly type: 'counter' | 'histogram';
  protected abstract expose(series: S, into: ExposedSample[]): void;
}

class CounterAccumulator implements CounterSeries {
  moved = false;
  value = 0;

  constructor(readonly labels: Record<string, string | number>) {}

  inc(value = 1): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY)
      throw new TypeError(`a counter moves by a finite amount ≥ 0, not ${value}`);
    this.value += value;
    this.moved = true;
  }
}

/** A Prometheus counter (`inc`), with prom-client's `labels(...)` binding. */
export class LabelledCounter<L extends string = never> extends SeriesMetric<L, CounterAccumulator> {
  readonly type = 'counter';

  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry) {
    super(name, help, labelNames, registry, (labels) => new CounterAccumulator(labels));
  }

  /** Clears every series; as with prom-client's, one without labels reads 0 again (a histogram lists none). */
  override reset(): void {
    super.reset();
    this.zeroUnlabelled();
  }

  /** Adds `value` (default 1) to the series of `labels` (none for a metric without labels). */
  inc(...args: [L] extends [never] ? [value?: number] : [labels: LabelSet<L>, value?: number]): void {
    const [first, second] = args;
    if (typeof first === 'object') this.seriesOf(first).inc(second);
    else this.seriesOf({} as LabelSet<L>).inc(first);
  }

  /** The series of `labels`, to move without looking it up again; it appears once moved. */
  labels(labels: LabelSet<L>): CounterSeries {
    return this.seriesOf(labels);
  }

  protected expose(series: CounterAccumulator, into: ExposedSample[]): void {
    into.push({ labels: series.labels, value: series.value });
  }
}

class HistogramAccumulator implements HistogramSeries {
  moved = false;
  sum = 0;
  count = 0;
  /** Observations per bucket, not cumulative: index i counts values in (bounds[i-1], bounds[i]]. */
  readonly counts: Float64Array;

  constructor(
    readonly labels: Record<string, string | number>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`a histogram observes finite values, not ${value}`);
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket += 1;
    // Above the last bound a value is counted in +Inf (the count) only.
    if (bucket < bounds.length) this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count += 1;
    this.moved = true;
  }
}

/** A Prometheus histogram (`observe`) over fixed upper bounds, with prom-client's `labels(...)` binding. */
export class LabelledHistogram<L extends string = never> extends SeriesMetric<L, HistogramAccumulator> {
  readonly type = 'histogram';
  readonly #bucketName: string;

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry, (labels) => new HistogramAccumulator(labels, bounds));
    this.#bucketName = `${name}_bucket`;
  }

  /** Observes `value` in the series of `labels` (none for a metric without labels). */
  observe(...args: [L] extends [never] ? [value: number] : [labels: LabelSet<L>, value: number]): void {
    const [first, second] = args;
    if (typeof first === 'object') this.seriesOf(first).observe(second as number);
    else this.seriesOf({} as LabelSet<L>).observe(first as number);
  }

  /** The series of `labels`, to observe without looking it up again; it appears once moved. */
  labels(labels: LabelSet<L>): HistogramSeries {
    return this.seriesOf(labels);
  }

  protected expose(series: HistogramAccumulator, into: ExposedSample[]): void {
    // prom-client's layout: cumulative buckets with `le` first, then +Inf, sum and count.
    const bucketName = this.#bucketName;
    const sharedLabels = series.labels;
    let cumulative = 0;
    this.bounds.forEach((bound, index) => {
      cumulative += series.counts[index] as number;
      into.push({
        labels: { le: bound },
        value: cumulative,
        metricName: bucketName,
        exemplar: null,
        sharedLabels,
      });
    });
    into.push(
      { labels: { le: '+Inf' }, value: series.count, metricName: bucketName, exemplar: null, sharedLabels },
      { labels: {}, value: series.sum, metricName: `${this.name}_sum`, sharedLabels },
      { labels: {}, value: series.count, metricName: `${this.name}_count`, sharedLabels },
    );
  }
}
