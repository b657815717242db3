import type { LanguageModelV3Message } from '@ai-sdk/provider';
import type { Agent } from './agent.js';

/**
 * Chooses which history the agent handed to sees: it gets the messages before the handoff (the
 * system message excluded) and returns those the new agent's model is shown instead. Everything
 * after the handoff is shown as it is. It must be pure: a resumed run applies it again.
 */
export type HistoryFilter = (history: readonly LanguageModelV3Message[]) => LanguageModelV3Message[];

/** What `transfer` accepts. */
export interface TransferOptions {
  /** What the hand-off tool says to the model; default names the agent and its description. */
  description?: string;
  inputFilter?: HistoryFilter;
}

/** A handoff target with options, as an agent's `handoffs` entry (see {@link transfer}). */
export interface Transfer {
  readonly kind: 'transfer';
  readonly agent: Agent;
  readonly description: string | undefined;
  readonly inputFilter: HistoryFilter | undefined;
}

/**
 * A handoff to `agent` with options: `defineAgent({ handoffs: [transfer(billing, { inputFilter })] })`.
 * A plain agent in `handoffs` is `transfer(agent)`.
 */
export function transfer(agent: Agent, options: TransferOptions = {}): Transfer {
  return Object.freeze({
    kind: 'transfer',
    agent,
    description: options.description,
    inputFilter: options.inputFilter,
  });
}

/** Whether a `handoffs` entry is a {@link transfer} rather than a plain agent. */
export function isTransfer(entry: Agent | Transfer): entry is Transfer {
  return (entry as Partial<Transfer>).kind === 'transfer';
}
