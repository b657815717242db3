import { randomBytes } from 'node:crypto';
import { ContextSlot } from './context-slot.js';

/** A W3C trace context (`traceparent`): which trace a piece of work belongs to, and its parent span. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** The `sampled` flag: a parent that was not sampled keeps its children unsampled. */
  sampled: boolean;
}

// version 00 only (https://www.w3.org/TR/trace-context/#traceparent-header-field-values); all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a `traceparent` header value; anything malformed or invalid is `undefined` (ignored, never an error). */
export function parseTraceparent(value: string | null | undefined): TraceParent | undefined {
  const match = TRACEPARENT.exec(value?.trim().toLowerCase() ?? '');
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** The `traceparent` header value of `parent`. */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.sampled ? '01' : '00'}`;
}

/** A new trace, sampled: what a run gets when nothing upstream started a trace. */
export function newTraceparent(): string {
  return formatTraceparent({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    sampled: true,
  });
}

/** Reads the trace context of the work in progress (a run attempt's span opens after its start). */
type TraceparentSource = () => string | null;

const scope = new ContextSlot<TraceparentSource>();

/**
 * Runs `work` under the trace context `source` returns: runs created inside it (a child run, a
 * delegated task, a follow-up) store that context, so they join the caller's trace.
 */
export function withTraceparent<T>(source: TraceparentSource | string, work: () => T): T {
  return scope.run(typeof source === 'string' ? () => source : source, work);
}

/** The trace context of the work in progress, or a new trace when there is none. */
export function currentTraceparent(): string {
  return scope.get()?.() ?? newTraceparent();
}

/**
 * `run` as it is created: in the trace of the work in progress (the HTTP or MCP request, the run
 * attempt that makes it) unless it names its own. Every path that creates a run goes through
 * here, so a child run, a delegated task or a follow-up joins its maker's trace.
 */
export function inCurrentTrace<R extends object>(run: R & { traceparent?: string | null }): R {
  return run.traceparent === undefined ? { ...run, traceparent: currentTraceparent() } : run;
}
