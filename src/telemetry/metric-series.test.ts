import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LabelledCounter, LabelledHistogram } from './metric-series.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [0.0005, 0.001, 0.002, 0.05, 0.5, 3, 0.01];

/** The same metrics on two registries: prom-client's own classes, and ours. */
function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  return {
    theirs,
    ours,
    prom: {
      calls: new Counter({
        name: 'x_calls_total',
        help: 'Calls',
        labelNames: ['tool', 'outcome'],
        registers: [theirs],
      }),
      takeovers: new Counter({ name: 'x_takeovers_total', help: 'Takeovers', registers: [theirs] }),
      latency: new Histogram({
        name: 'x_latency_seconds',
        help: 'Latency "quoted" \\ and\nnewline',
        labelNames: ['route', 'status'],
        buckets: BOUNDS,
        registers: [theirs],
      }),
      commit: new Histogram({
        name: 'x_commit_seconds',
        help: 'Commit',
        buckets: BOUNDS,
        registers: [theirs],
      }),
    },
    own: {
      calls: new LabelledCounter('x_calls_total', 'Calls', ['tool', 'outcome'], ours),
      takeovers: new LabelledCounter('x_takeovers_total', 'Takeovers', [], ours),
      latency: new LabelledHistogram(
        'x_latency_seconds',
        'Latency "quoted" \\ and\nnewline',
        ['route', 'status'],
        BOUNDS,
        ours,
      ),
      commit: new LabelledHistogram('x_commit_seconds', 'Commit', [], BOUNDS, ours),
    },
  };
}

describe('LabelledCounter and LabelledHistogram', () => {
  it('render the exact text prom-client renders for the same observations', async () => {
    const { theirs, ours, prom, own } = pair();
    // Nothing moved yet: the label-less ones read 0, the labelled ones list no series.
    expect(await ours.metrics()).toBe(await theirs.metrics());

    prom.calls.inc({ tool: 'lookup', outcome: 'ok' });
    own.calls.inc({ tool: 'lookup', outcome: 'ok' });
    prom.calls.labels({ tool: 'lookup', outcome: 'ok' }).inc(2.5);
    own.calls.labels({ tool: 'lookup', outcome: 'ok' }).inc(2.5);
    prom.calls.inc({ tool: 'a"b\\c\nd', outcome: 'tool_error' }, 3);
    own.calls.inc({ tool: 'a"b\\c\nd', outcome: 'tool_error' }, 3);
    prom.takeovers.inc();
    own.takeovers.inc();
    for (const value of OBSERVED) {
      prom.latency.observe({ route: '/runs', status: 200 }, value);
      own.latency.observe({ route: '/runs', status: 200 }, value);
      prom.latency.labels({ route: '/x', status: 404 }).observe(value * 2);
      own.latency.labels({ route: '/x', status: 404 }).observe(value * 2);
      prom.commit.observe(value);
      own.commit.observe(value);
    }
    // Bound but never moved: no series, on either side.
    prom.calls.labels({ tool: 'idle', outcome: 'ok' });
    own.calls.labels({ tool: 'idle', outcome: 'ok' });

    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_latency_seconds_bucket{le="0.01",route="/runs",status="200"} 4');
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());

    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuse what prom-client refuses: a counter moving back, a value that is not finite', () => {
    const { own } = pair();
    expect(() => own.calls.inc({ tool: 't', outcome: 'ok' }, -1)).toThrow(TypeError);
    expect(() => own.takeovers.inc(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => own.commit.observe(Number.NaN)).toThrow(TypeError);
  });
});
