import { describe, expect, it } from 'vitest';
import { BoundSeries, genAiProvider } from './bound-series.js';
import { createMetrics } from './metrics.js';

const sample = (text: string, line: string) =>
  Number(
    text
      .split('\n')
      .find((row) => row.startsWith(`${line} `))
      ?.split(' ')[1],
  );

describe('BoundSeries', () => {
  it('binds each model, tool and agent once, to the same series a label lookup moves', async () => {
    const metrics = createMetrics();
    const series = new BoundSeries(metrics);
    const model = series.model({ provider: 'openai.responses', modelId: 'gpt-test' });
    expect(series.model({ provider: 'openai.responses', modelId: 'gpt-test' })).toBe(model);
    expect(model).toMatchObject({ spanName: 'chat gpt-test', provider: 'openai' });
    model.ok?.inputTokens.inc(7);
    metrics.modelTokens.inc({ provider: 'openai', model: 'gpt-test', type: 'input' }, 5);
    model.ok?.duration.observe(0.002);
    const tool = series.tool('lookup');
    expect(series.tool('lookup')).toBe(tool);
    expect(tool.spanName).toBe('execute_tool lookup');
    tool.okDuration?.observe(0.001);
    metrics.toolDuration.observe({ tool: 'lookup', outcome: 'ok' }, 0.001);
    series.agent('helper').stepDuration?.observe(0.01);

    const text = await metrics.text();
    expect(sample(text, 'baton_model_tokens_total{provider="openai",model="gpt-test",type="input"}')).toBe(
      12,
    );
    expect(
      sample(
        text,
        'baton_model_call_duration_seconds_count{provider="openai",model="gpt-test",outcome="ok"}',
      ),
    ).toBe(1);
    expect(sample(text, 'baton_tool_duration_seconds_count{tool="lookup",outcome="ok"}')).toBe(2);
    expect(sample(text, 'baton_step_duration_seconds_count{agent="helper"}')).toBe(1);
    // Bound but never moved: no series appears (no cost line for an unpriced model).
    expect(text).not.toContain('baton_model_cost_usd_total{');
  });

  it('has span names but no metric children without metrics', () => {
    const series = new BoundSeries(undefined);
    expect(series.model({ provider: 'anthropic.messages', modelId: 'claude' })).toMatchObject({
      spanName: 'chat claude',
      provider: 'anthropic',
      ok: undefined,
    });
    expect(series.tool('t').okDuration).toBeUndefined();
    expect(series.agent('a').stepDuration).toBeUndefined();
  });

  it('names GenAI providers by the conventions', () => {
    expect(genAiProvider('google.generative-ai')).toBe('gcp.gemini');
    expect(genAiProvider('scripted')).toBe('scripted');
  });
});
