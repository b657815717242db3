import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CancelledError, type ErrorBody } from '../../core/errors.js';
import type { EventDraft, Usage } from '../../core/events.js';
import type { Journal } from '../../loop/journal.js';
import type { TurnOutcome } from '../../loop/types.js';
import { kindDefinitionHash } from '../../runtime/definition-hash.js';
import type { RunKind } from '../../runtime/run-kind.js';
import { PatchTooLargeError } from '../../workspace/errors.js';
import { loadManifest } from '../../workspace/restore.js';
import { sandboxExec } from '../../workspace/sandbox/sandbox-exec.js';
import type { SandboxResult } from '../../workspace/sandbox/types.js';
import { openScratchWorkspace } from '../../workspace/scratch-workspace.js';
import { maskStrings, type ReleaseSecrets, releaseRunSecrets, secretMask } from '../released-secrets.js';
import { vendorArgv, vendorEnvironment, vendorExecutable, vendorTranslator } from './vendor-agent.js';
import type { VendorEvent, VendorStreamTranslator } from './vendor-event.js';
import { type VendorInput, vendorInputSchema } from './vendor-input.js';

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

/** How long the stream must be quiet before a translator lets go of a message it holds. */
const QUIET_MS = 300;

/**
 * The `vendor` kind: a vendor coding agent (Claude Code, Codex, OpenCode) run headless inside
 * the sandbox on a fresh restore of the captured workspace. Its event stream becomes Baton
 * events as it arrives — assistant text as `message.completed`, its tool calls as
 * `tool.started` / `tool.result` — its reported cost is held to the run's budget (the process is
 * killed past it), and its change is captured as the run's patch, as for `exec`. A resumed
 * attempt starts again from a fresh restore: the vendor's own session is not resumable here.
 */
export function vendorKind(releaseSecrets?: ReleaseSecrets): RunKind<VendorInput> {
  return {
    name: 'vendor',
    inputSchema: vendorInputSchema,
    claim: 'kind',
    definitionHash: async ({ run }) => kindDefinitionHash(run),
    execute: (context) => executeVendorAgent(context, releaseSecrets),
  };
}

async function executeVendorAgent(
  { run, input, journal, signal, store, env }: Parameters<RunKind<VendorInput>['execute']>[0],
  releaseSecrets: ReleaseSecrets | undefined,
): ReturnType<RunKind<VendorInput>['execute']> {
  const executable = vendorExecutable(input.agent);
  if (!(await onPath(executable, input.policy.env.PATH))) {
    return failed({
      code: 'agent_unavailable',
      message: `${executable} (${input.agent.harness}) is not installed on the sandbox's PATH; install its CLI on the runner or choose another agent`,
    });
  }
  const released = await releaseRunSecrets(run, input.secrets, releaseSecrets, env);
  if ('error' in released) return failed(released.error);
  const { secrets } = released;
  const mask = secretMask(secrets);
  const stream = new VendorStream(vendorTranslator(input.agent), journal, input.maxCostUsd, mask);
  const manifest = await loadManifest(store, input.manifestHash);
  const scratch = await openScratchWorkspace(manifest, store, {
    prefix: 'baton-vendor-',
    signal,
    hostEnv: env,
  });
  try {
    let result: SandboxResult;
    try {
      result = await sandboxExec({
        cwd: scratch.checkout,
        gitDir: scratch.gitDir,
        command: vendorArgv(input.agent, input.task),
        policy: input.policy,
        env: { ...vendorEnvironment(input.agent), ...secrets },
        signal: AbortSignal.any([signal, stream.overBudget.signal, stream.stopped.signal]),
        onStdoutLine: (line) => stream.line(line),
      });
    } catch (error) {
      stream.end();
      await stream.settled();
      if (!(error instanceof CancelledError)) throw error;
      if (stream.stopped.signal.aborted && stream.finished?.error)
        return failed(maskStrings(stream.finished.error, mask), stream);
      if (!stream.overBudget.signal.aborted)
        return { status: 'cancelled', usage: stream.usage, steps: stream.steps };
      return failed(
        { code: 'max_cost', message: `the agent spent more than the run's budget of $${input.maxCostUsd}` },
        stream,
      );
    }
    stream.end();
    await stream.settled();
    try {
      const { patch: _bytes, ...patch } = await scratch.capturePatch(store, {
        secretPatterns: input.secretPatterns,
        maxPatchBytes: input.policy.limits.patchBytes,
        signal,
      });
      await journal.append({ type: 'workspace.patch', data: patch });
    } catch (error) {
      if (error instanceof PatchTooLargeError)
        return failed({ code: error.code, message: error.message }, stream);
      throw error;
    }
    return outcomeOf(result, stream, mask);
  } finally {
    await scratch.remove();
  }
}

/**
 * One run's stream: translates each line, commits its events in order (one append at a time,
 * so the log's order is the stream's), tracks spending against the budget and keeps the final
 * result. Released secret values are masked (`[secret NAME]`) in everything it commits.
 */
class VendorStream {
  readonly overBudget = new AbortController();
  /** Aborted when the vendor reported an end it will not reach by itself (`finished` with `stop`). */
  readonly stopped = new AbortController();
  usage: Usage = NO_USAGE;
  steps = 0;
  finished: Extract<VendorEvent, { type: 'finished' }> | undefined;
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private quiet: NodeJS.Timeout | undefined;

  constructor(
    private readonly translator: VendorStreamTranslator,
    private readonly journal: Journal,
    private readonly maxCostUsd: number | null,
    private readonly mask: (text: string) => string,
  ) {}

  /** Takes one line of stdout; lines that are not a JSON object (progress noise) are skipped. */
  line(text: string): void {
    const parsed = parseObject(text);
    if (parsed === undefined) return;
    for (const event of this.translator.translate(parsed)) this.take(event);
    if (this.translator.flush === undefined) return;
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => this.flush(true), QUIET_MS);
  }

  /** The stream has ended: whatever the translator still holds is complete. */
  end(): void {
    clearTimeout(this.quiet);
    this.flush(false);
  }

  private flush(quiet: boolean): void {
    for (const event of this.translator.flush?.(quiet) ?? []) this.take(event);
  }

  /** Resolves when every event taken so far is committed; rejects with the first failed commit. */
  async settled(): Promise<void> {
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
  }

  private take(event: VendorEvent): void {
    switch (event.type) {
      case 'message':
        this.steps += 1;
        this.commit({
          type: 'message.completed',
          data: {
            role: 'assistant',
            text: event.text,
            toolCalls: event.toolCalls,
            finishReason: event.toolCalls.length > 0 ? 'tool_calls' : 'stop',
            usage: event.usage,
          },
        });
        for (const call of event.toolCalls) this.commit({ type: 'tool.started', data: call });
        return;
      case 'tool.result':
        this.commit({
          type: 'tool.result',
          data: {
            toolCallId: event.toolCallId,
            name: event.name,
            ok: event.ok,
            output: event.output,
            ...(!event.ok && { error: { code: 'tool_error', message: `${event.name} failed` } }),
            durationMs: 0,
          },
        });
        return;
      case 'spent':
        this.spend(event.usage);
        return;
      case 'finished':
        this.finished = event;
        this.spend(event.usage);
        if (event.stop) this.stopped.abort();
        return;
    }
  }

  private spend(usage: Usage): void {
    this.usage = usage;
    if (this.maxCostUsd !== null && (usage.costUsd ?? 0) > this.maxCostUsd) this.overBudget.abort();
  }

  private commit(event: EventDraft): void {
    const masked = maskStrings(event, this.mask);
    this.pending = this.pending.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.journal.append(masked);
      } catch (error) {
        // Kept and rethrown by settled(): a lost lease must fail the attempt, not vanish.
        this.failure = error;
      }
    });
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    // A line that only looks like JSON is progress noise, like any other non-JSON line.
    return undefined;
  }
}

async function onPath(executable: string, path: string | undefined): Promise<boolean> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      await access(join(dir, executable), constants.X_OK);
      return true;
    } catch {
      // Not in this directory of PATH; try the next.
    }
  }
  return false;
}

function failed(error: ErrorBody, stream?: VendorStream): TurnOutcome {
  return { status: 'failed', error, usage: stream?.usage ?? NO_USAGE, steps: stream?.steps ?? 0 };
}

function outcomeOf(result: SandboxResult, stream: VendorStream, mask: (text: string) => string): TurnOutcome {
  if (result.timedOut) {
    return failed(
      { code: 'command_timed_out', message: `the agent was killed after ${result.durationMs} ms (timeout)` },
      stream,
    );
  }
  const finished = stream.finished;
  // The vendor's final words can quote what its tools printed: masked like every event.
  if (finished?.error) return failed(maskStrings(finished.error, mask), stream);
  if (finished && result.exitCode === 0) {
    return { status: 'succeeded', text: mask(finished.text), usage: stream.usage, steps: stream.steps };
  }
  return failed(
    {
      code: 'agent_failed',
      message:
        (result.exitCode === null
          ? `the agent was killed by ${result.signal ?? 'a signal'} before it reported a result`
          : `the agent exited with code ${result.exitCode}${finished ? '' : ' without reporting a result'}`) +
        stderrTail(result.stderr, mask),
    },
    stream,
  );
}

const STDERR_TAIL_CHARS = 1000;

/**
 * The end of what the agent wrote to stderr (masked), for the error's message: a CLI that dies
 * before its first line of JSON (a crash, a bad flag, a missing runtime) says why only there.
 */
function stderrTail(stderr: string, mask: (text: string) => string): string {
  const text = mask(stderr).trim();
  return text === '' ? '' : `; its stderr ended: ${text.slice(-STDERR_TAIL_CHARS)}`;
}
