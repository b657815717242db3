import { z } from 'zod';
import type { Agent, AgentOptions } from '../src/core/agent.js';
import { defineAgent } from '../src/core/agent.js';
import { LeaseLostError } from '../src/core/errors.js';
import type { BatonEvent, EventDraft } from '../src/core/events.js';
import { tool } from '../src/core/tool.js';
import { MemoryJournal } from '../src/loop/memory-journal.js';
import type { Script, ScriptEntry } from '../src/model/scripted-model.js';
import { scriptedModel } from '../src/model/scripted-model.js';

/** A journal holding a started session with one user message and `run.started`, like the runtime writes. */
export function startedJournal(
  message = 'What is the weather?',
  options: { runId?: string } = {},
): MemoryJournal {
  const journal = new MemoryJournal(options.runId === undefined ? {} : { runId: options.runId });
  journal.record({ type: 'session.started', data: { agent: 'weather' } });
  journal.record({ type: 'message.received', data: { role: 'user', text: message } });
  journal.record({ type: 'run.started', data: { agent: 'weather', attempt: 1, definitionHash: 'test' } });
  return journal;
}

/** Continues a session log with another run: the follow-up message and its `run.started`. */
export function followUpJournal(events: readonly BatonEvent[], message: string): MemoryJournal {
  const journal = new MemoryJournal({ events });
  journal.record({ type: 'message.received', data: { role: 'user', text: message } });
  journal.record({ type: 'run.started', data: { agent: 'weather', attempt: 1, definitionHash: 'test' } });
  return journal;
}

/**
 * A journal that loses its lease (throws `LeaseLostError`) on the n-th append, like a crash
 * mid-turn; an `appendMany` is one append (one transaction: all of it or none).
 */
export class CrashingJournal extends MemoryJournal {
  private appends = 0;

  constructor(
    source: MemoryJournal,
    private readonly crashAt: number,
  ) {
    super({ events: source.events, runId: source.runId });
  }

  override async append(draft: EventDraft): Promise<BatonEvent> {
    this.appends += 1;
    if (this.appends === this.crashAt) throw new LeaseLostError(this.runId);
    return super.append(draft);
  }

  override async appendMany(drafts: EventDraft[]): Promise<BatonEvent[]> {
    this.appends += 1;
    if (this.appends === this.crashAt) throw new LeaseLostError(this.runId);
    return super.appendMany(drafts);
  }
}

/** The journal a new worker would see after a crash: the same log, the same run id. */
export function resumedJournal(crashed: MemoryJournal): MemoryJournal {
  return new MemoryJournal({ events: crashed.events, runId: crashed.runId });
}

/** A weather tool that counts its executions. */
export function weatherTool(options: { idempotent?: boolean; fail?: boolean } = {}) {
  const calls: string[] = [];
  const definition = tool({
    name: 'get_weather',
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string() }),
    idempotent: options.idempotent ?? false,
    execute: ({ city }) => {
      calls.push(city);
      if (options.fail) throw new Error(`weather service down for ${city}`);
      return { city, forecast: 'sunny', celsius: 21 };
    },
  });
  return { tool: definition, calls };
}

/** Three weather calls, one per step, then an answer. */
export const THREE_CALLS_THEN_ANSWER: ScriptEntry[] = [
  {
    toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }],
    usage: { inputTokens: 10, outputTokens: 5 },
  },
  {
    toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }],
    usage: { inputTokens: 20, outputTokens: 5 },
  },
  {
    toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }],
    usage: { inputTokens: 30, outputTokens: 5 },
  },
  { text: 'Sunny in Paris, Oslo and Rome.', usage: { inputTokens: 40, outputTokens: 8 } },
];

/** A model whose calls are counted. */
export function countingModel(script: Script, options: { modelId?: string } = {}) {
  const model = scriptedModel(script, options);
  const counter = { calls: 0 };
  const doStream: typeof model.doStream = (options) => {
    counter.calls += 1;
    return model.doStream(options);
  };
  return { model: { ...model, doStream }, counter };
}

/** An agent named `weather` with the given model and tools. */
export function weatherAgent(options: Partial<AgentOptions> & Pick<AgentOptions, 'model'>): Agent {
  return defineAgent({ name: 'weather', instructions: 'Answer weather questions.', ...options });
}

/** Event types of the run's events, in order. */
export function typesOf(events: readonly BatonEvent[], runId: string): string[] {
  return events.filter((event) => event.runId === runId).map((event) => event.type);
}
