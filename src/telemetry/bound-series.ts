import type { CounterSeries, HistogramSeries } from './metric-series.js';
import type { BatonMetrics } from './metrics.js';

const GEN_AI_PROVIDERS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'gcp.gemini',
  'amazon-bedrock': 'aws.bedrock',
  azure: 'azure.ai.openai',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
};

/** The `gen_ai.provider.name` of an AI SDK provider id (`openai.responses` → `openai`). */
export function genAiProvider(provider: string): string {
  const family = provider.split('.')[0] ?? provider;
  return GEN_AI_PROVIDERS[family] ?? family;
}

/** How one model's calls are observed. */
export interface ModelSeries {
  /** `chat <model>`. */
  readonly spanName: string;
  /** `gen_ai.provider.name`, also the `provider` label. */
  readonly provider: string;
  readonly labels: { provider: string; model: string };
  /** The children a successful call moves; undefined without metrics. */
  readonly ok:
    | {
        duration: HistogramSeries;
        inputTokens: CounterSeries;
        outputTokens: CounterSeries;
        cost: CounterSeries;
      }
    | undefined;
}

/** How one tool's calls are observed. */
export interface ToolSeries {
  /** `execute_tool <tool>`. */
  readonly spanName: string;
  /** `baton_tool_duration_seconds{tool, outcome="ok"}`; undefined without metrics. */
  readonly okDuration: HistogramSeries | undefined;
}

/** How one agent's steps are observed. */
export interface AgentSeries {
  /** `baton_step_duration_seconds{agent}`; undefined without metrics. */
  readonly stepDuration: HistogramSeries | undefined;
}

/**
 * What each model, tool and agent is observed with, worked out at its first use and kept: span
 * names, the GenAI provider name and the metric children of its labels. A step observes a
 * model call, a tool call and several durations; building label objects and span names for
 * each of them again cost more than the observations themselves. The maps grow with the
 * models, tools and agents in use, the same cardinality as the metrics' own series.
 */
export class BoundSeries {
  readonly #models = new Map<string, Map<string, ModelSeries>>();
  readonly #tools = new Map<string, ToolSeries>();
  readonly #agents = new Map<string, AgentSeries>();

  constructor(private readonly metrics: BatonMetrics | undefined) {}

  /** The series of `model` (an AI SDK model: `provider` like `openai.responses`). */
  model(model: { provider: string; modelId: string }): ModelSeries {
    let byId = this.#models.get(model.provider);
    if (!byId) {
      byId = new Map();
      this.#models.set(model.provider, byId);
    }
    let series = byId.get(model.modelId);
    if (!series) {
      series = this.#newModel(genAiProvider(model.provider), model.modelId);
      byId.set(model.modelId, series);
    }
    return series;
  }

  /** The series of the tool named `name`. */
  tool(name: string): ToolSeries {
    let series = this.#tools.get(name);
    if (!series) {
      series = {
        spanName: `execute_tool ${name}`,
        okDuration: this.metrics?.toolDuration.labels({ tool: name, outcome: 'ok' }),
      };
      this.#tools.set(name, series);
    }
    return series;
  }

  /** The series of the agent named `name`. */
  agent(name: string): AgentSeries {
    let series = this.#agents.get(name);
    if (!series) {
      series = { stepDuration: this.metrics?.stepDuration.labels({ agent: name }) };
      this.#agents.set(name, series);
    }
    return series;
  }

  #newModel(provider: string, model: string): ModelSeries {
    const labels = { provider, model };
    const metrics = this.metrics;
    return {
      spanName: `chat ${model}`,
      provider,
      labels,
      ok: metrics && {
        duration: metrics.modelCallDuration.labels({ ...labels, outcome: 'ok' }),
        inputTokens: metrics.modelTokens.labels({ ...labels, type: 'input' }),
        outputTokens: metrics.modelTokens.labels({ ...labels, type: 'output' }),
        cost: metrics.modelCost.labels(labels),
      },
    };
  }
}
