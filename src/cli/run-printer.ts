import type { StreamEvent } from '../core/events.js';
import { DEFAULT_RETRY_POLICY } from '../model/retry.js';
import type { RunView } from '../runtime/types.js';
import { plural } from './format.js';

/** Where and how `baton run` prints its human-readable view. */
export interface PrinterOptions {
  write: (text: string) => void;
  /** A terminal: stream text as it is generated and show progress lines with colour. */
  tty: boolean;
}

const MAX_PREVIEW = 120;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_INTERVAL_MS = 80;

/**
 * The human-readable view of a run: one line per step and tool call, the answer, a closing
 * summary. On a TTY the answer streams as the model writes it; elsewhere the same lines print
 * plainly as each event commits (no control characters).
 */
export class RunPrinter {
  readonly #options: PrinterOptions;
  #streamedStep: number | undefined;
  #currentStep = 0;
  #toolCalls = 0;
  #steps = 0;
  #spinner: NodeJS.Timeout | undefined;

  constructor(options: PrinterOptions) {
    this.#options = options;
  }

  /** Renders one event of the run's stream. */
  event(event: StreamEvent): void {
    this.#stopSpinner();
    switch (event.type) {
      case 'run.started':
        this.#line(this.#dim(`▸ ${event.data.agent} · run ${event.runId} · attempt ${event.data.attempt}`));
        // The first step's `step.started` commits with the model's response: the model is at work now.
        this.#spin('thinking');
        break;
      case 'step.started':
        this.#steps += 1;
        this.#currentStep = event.data.step;
        if (this.#options.tty) this.#startSpinner(`step ${event.data.step} · thinking`);
        else this.#line(`… step ${event.data.step}`);
        break;
      case 'model.retried': {
        const maxAttempts = event.data.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
        const wait = `retrying in ${seconds(event.data.delayMs)} (attempt ${event.data.attempt} of ${maxAttempts})`;
        this.#line(this.#yellow(`  ↻ ${wait}: ${event.data.reason}`));
        this.#spin(`step ${this.#currentStep} · waiting to retry`);
        break;
      }
      case 'model.delta':
        if (!this.#options.tty) break;
        this.#streamedStep = event.step;
        this.#options.write(event.delta);
        break;
      case 'message.completed':
        if (this.#streamedStep !== undefined) {
          this.#options.write('\n');
          this.#streamedStep = undefined;
        } else if (event.data.text) {
          this.#line(event.data.text);
        }
        // An idempotent tool's `tool.started` commits with its result: the tools are at work now.
        if (event.data.toolCalls.length > 0)
          this.#spin(`step ${this.#currentStep} · running ${toolNames(event.data.toolCalls)}`);
        break;
      case 'tool.started':
        this.#toolCalls += 1;
        this.#line(`  ⚙ ${event.data.name} ${preview(event.data.input)}`);
        this.#spin(`step ${this.#currentStep} · running ${event.data.name}`);
        break;
      case 'tool.result':
        this.#line(
          event.data.ok
            ? `  ${this.#green('✔')} ${event.data.name} → ${preview(event.data.output)} ${this.#dim(`(${event.data.durationMs} ms)`)}`
            : `  ${this.#red('✖')} ${event.data.name} → ${event.data.error?.code ?? 'error'}: ${event.data.error?.message ?? ''}`,
        );
        break;
      case 'step.completed':
        // The next step's `step.started` commits with its model response (or the run ends).
        this.#spin(`step ${event.data.step + 1} · thinking`);
        break;
      case 'handoff.occurred':
        this.#line(
          `  ↪ ${event.data.from} hands off to ${event.data.to}${event.data.reason ? `: ${event.data.reason}` : ''}`,
        );
        break;
      case 'skill.activated':
        this.#line(`  ✦ skill ${event.data.name} is active for the rest of the session`);
        break;
      case 'guardrail.tripped':
        this.#line(
          this.#yellow(
            `  ⛔ ${event.data.on} guardrail ${event.data.name} (${event.data.action}): ${event.data.reason}`,
          ),
        );
        break;
      default:
        break;
    }
  }

  /**
   * The closing summary: how the run ended, its steps, tool calls, tokens and cost, then the
   * session and run ids that `baton events`, `verify-log` and `runs show` take. A failure is
   * said here once, with its code and message.
   */
  summary(run: RunView): void {
    this.#stopSpinner();
    const { inputTokens, outputTokens, costUsd } = run.usage;
    const counts = [
      plural(this.#steps, 'step'),
      plural(this.#toolCalls, 'tool call'),
      `${inputTokens.toLocaleString('en-US')} in / ${outputTokens.toLocaleString('en-US')} out tokens`,
      costUsd === undefined ? 'cost unknown' : formatCost(costUsd),
    ].join(' · ');
    if (run.status === 'succeeded') this.#line(`${this.#green('✔ succeeded')} · ${counts}`);
    else if (run.status === 'failed')
      this.#line(`${this.#red(`✖ failed: ${run.error?.code}: ${run.error?.message}`)} · ${counts}`);
    else if (run.status === 'waiting') this.#line(`${this.#yellow('⏸ waiting for a person')} · ${counts}`);
    else this.#line(`${run.status} · ${counts}`);
    this.#line(this.#dim(`  session ${run.sessionId} · run ${run.id}`));
  }

  /** Stops the spinner and erases its line; safe to call at any time. */
  close(): void {
    this.#stopSpinner();
  }

  /** On a terminal, the spinner with `label` until the next event. */
  #spin(label: string): void {
    if (this.#options.tty) this.#startSpinner(label);
  }

  // The spinner redraws one status line in place while the model thinks; the next printed
  // event erases it, so the scrollback only holds real progress lines.
  #startSpinner(label: string): void {
    let frame = 0;
    const draw = (): void => {
      this.#options.write(`\r${this.#dim(`${SPINNER[frame % SPINNER.length]} ${label}`)}`);
      frame += 1;
    };
    draw();
    const timer = setInterval(draw, SPINNER_INTERVAL_MS);
    timer.unref();
    this.#spinner = timer;
  }

  #stopSpinner(): void {
    if (!this.#spinner) return;
    clearInterval(this.#spinner);
    this.#spinner = undefined;
    this.#options.write('\r\x1b[2K');
  }

  #line(text: string): void {
    this.#options.write(`${text}\n`);
  }

  #dim(text: string): string {
    return this.#options.tty ? `\x1b[2m${text}\x1b[22m` : text;
  }

  #green(text: string): string {
    return this.#options.tty ? `\x1b[32m${text}\x1b[39m` : text;
  }

  #red(text: string): string {
    return this.#options.tty ? `\x1b[31m${text}\x1b[39m` : text;
  }

  #yellow(text: string): string {
    return this.#options.tty ? `\x1b[33m${text}\x1b[39m` : text;
  }
}

/** `$0.0042` below a cent, `$1.25` above. */
function formatCost(costUsd: number): string {
  return `$${costUsd > 0 && costUsd < 0.01 ? costUsd.toFixed(4) : costUsd.toFixed(2)}`;
}

/** `2 s`, `0.5 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** `lookup`, `lookup ×2, fetch`: the tools a response asked for, in order. */
function toolNames(calls: readonly { name: string }[]): string {
  const counts = new Map<string, number>();
  for (const { name } of calls) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW - 1)}…` : text;
}
