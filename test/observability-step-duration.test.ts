import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, createRuntime, openStore } from '../src/index.js';
import slowLookups, { MODEL_MS, TOOL_MS } from './fixtures/agents/slow-lookups.js';
import { parsePrometheus, sampleValue } from './helpers/prometheus.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-step-duration-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton_step_duration_seconds', () => {
  // A step's `step.started` commits with its `message.completed`, after the model call, and an
  // answer's whole step in one commit: timed from those commits, a step lasted only its tools.
  it('times a step from its start, model call included, though its start commits with later events', async () => {
    const store = await openStore(join(dir, 'baton.db'));
    const metrics = createMetrics();
    const runtime = createRuntime({ store, agents: [slowLookups], metrics });
    try {
      const { runId } = await runtime.start({ agent: 'slow-lookups', message: 'go' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      const samples = parsePrometheus(await metrics.text());
      const labels = { agent: 'slow-lookups' };
      expect(sampleValue(samples, 'baton_step_duration_seconds_count', labels)).toBe(3);
      // Two steps of a model call and a lookup, one of a model call (a timer may fire a little early).
      const expected = (3 * MODEL_MS + 2 * TOOL_MS) / 1000;
      expect(sampleValue(samples, 'baton_step_duration_seconds_sum', labels)).toBeGreaterThanOrEqual(
        expected * 0.8,
      );
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
