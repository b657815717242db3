import type { BatonEvent } from '../core/events.js';

/** One bar of the timeline: a label, when it began and ended (epoch ms), and what it says after the bar. */
interface Bar {
  label: string;
  start: number;
  end: number;
  note: string;
}

const BAR_WIDTH = 40;
const LABEL_WIDTH = 22;

/**
 * `baton runs show <id> --timeline`: the run's attempts, steps, model calls and tool calls as
 * bars on one time axis, with durations, tokens and cost, read from the session log alone. An
 * event's timestamp is its commit's, and a step's first events commit together after its model
 * call (`step.started` with `message.completed`; an idempotent tool's `tool.started` with its
 * `tool.result`: docs/events.md), so a step and its model call are drawn from the end of the
 * step before (or the attempt's start) to their ends, and a tool from its result back by the
 * `durationMs` the result records. Events others commit into the run meanwhile (a follow-up
 * message, a background child's report) move neither.
 */
export function drawTimeline(events: readonly BatonEvent[], runId: string): string {
  const bars = timelineBars(events.filter((event) => event.runId === runId));
  if (bars.length === 0) return `run ${runId} has not started\n`;
  const origin = Math.min(...bars.map((bar) => bar.start));
  const span = Math.max(1, Math.max(...bars.map((bar) => bar.end)) - origin);
  const scale = (time: number) => Math.round(((time - origin) / span) * BAR_WIDTH);
  const lines = bars.map((bar) => {
    const from = Math.min(scale(bar.start), BAR_WIDTH - 1);
    const to = Math.max(from + 1, scale(bar.end));
    const track = `${' '.repeat(from)}${'█'.repeat(to - from)}`.padEnd(BAR_WIDTH);
    return `${bar.label.slice(0, LABEL_WIDTH).padEnd(LABEL_WIDTH)} |${track}| ${duration(bar.end - bar.start).padStart(8)}  ${bar.note}`.trimEnd();
  });
  return `${lines.join('\n')}\n`;
}

function timelineBars(events: readonly BatonEvent[]): Bar[] {
  const bars: Bar[] = [];
  const time = (event: BatonEvent) => Date.parse(event.ts);
  let attempt: Bar | undefined;
  let step: Bar | undefined;
  /** When the previous step (or the attempt's start) committed: where the next step began. */
  let stepFrom: number | undefined;
  const tools = new Map<string, Bar>();
  for (const event of events) {
    const at = time(event);
    if (attempt) attempt.end = at;
    switch (event.type) {
      case 'run.started': {
        const started = {
          label: `attempt ${event.data.attempt}`,
          start: at,
          end: at,
          note: event.data.worker ?? '',
        };
        attempt = started;
        bars.push(started);
        stepFrom = at;
        break;
      }
      case 'step.started': {
        const began = Math.min(at, stepFrom ?? at);
        step = { label: `step ${event.data.step}`, start: began, end: at, note: '' };
        bars.push(step);
        break;
      }
      case 'message.completed': {
        const { usage } = event.data;
        const cost = usage.costUsd === undefined ? '' : `  $${usage.costUsd.toFixed(6)}`;
        bars.push({
          label: '  chat',
          // The model was called as its step began.
          start: step?.start ?? at,
          end: at,
          note: `${usage.inputTokens} in / ${usage.outputTokens} out${cost}  ${event.data.finishReason}`,
        });
        break;
      }
      case 'tool.started': {
        const bar = { label: `  tool ${event.data.name}`, start: at, end: at, note: 'unfinished' };
        tools.set(event.data.toolCallId, bar);
        bars.push(bar);
        break;
      }
      case 'tool.result': {
        const bar = tools.get(event.data.toolCallId);
        if (bar) {
          const { durationMs } = event.data;
          if (Number.isFinite(durationMs)) bar.start = Math.min(bar.start, at - Math.max(0, durationMs));
          bar.end = Math.max(bar.start, at);
          bar.note = event.data.ok ? 'ok' : (event.data.error?.code ?? 'error');
        }
        break;
      }
      case 'step.completed':
        if (step) step.end = at;
        stepFrom = at;
        break;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        if (attempt) attempt.note = `${attempt.note}  ${event.type.slice(4)}`.trim();
        break;
    }
  }
  return bars;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
