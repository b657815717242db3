import type { ErrorBody } from '../../core/errors.js';
import type { ToolCallRecord, Usage } from '../../core/events.js';

/**
 * What a vendor coding agent's event stream says, normalised across vendors: the assistant's
 * messages, its tool calls and their results, and how it ended. The vendor kind turns these
 * into Baton events (`message.completed`, `tool.started`, `tool.result`) and the run's outcome.
 */
export type VendorEvent =
  | { type: 'message'; text: string; toolCalls: ToolCallRecord[]; usage: Usage }
  | { type: 'tool.result'; toolCallId: string; name: string; ok: boolean; output: unknown }
  /** The vendor's running total of what it has spent so far, when it reports one mid-run. */
  | { type: 'spent'; usage: Usage }
  /**
   * How the run ended. With `stop`, the vendor has not exited yet but will get no further (it
   * keeps retrying a refused API key, say): its process is killed and the run fails with `error`.
   */
  | { type: 'finished'; text: string; usage: Usage; error?: ErrorBody; stop?: true };

/** Turns one parsed JSON line of a vendor's stream into the events it carries (often none). */
export interface VendorStreamTranslator {
  translate(line: Record<string, unknown>): VendorEvent[];
  /**
   * The events of a message still being assembled (a translator that joins several lines into
   * one message holds it until it knows the message is complete): called with `quiet` when no
   * line came for a moment, and without it when the stream has ended.
   */
  flush?(quiet: boolean): VendorEvent[];
}

/** A record's field as a record, or undefined. */
export function recordField(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null && !Array.isArray(field)
    ? (field as Record<string, unknown>)
    : undefined;
}

/** A record's field as a string, or `fallback`. */
export function stringField(value: Record<string, unknown> | undefined, key: string, fallback = ''): string {
  const field = value?.[key];
  return typeof field === 'string' ? field : fallback;
}

/** A record's field as a finite non-negative number, or 0. */
export function countField(value: Record<string, unknown> | undefined, key: string): number {
  const field = value?.[key];
  return typeof field === 'number' && Number.isFinite(field) && field >= 0 ? field : 0;
}
