import type { Environment } from '../../core/environment.js';
import { CancelledError, type ErrorBody } from '../../core/errors.js';
import type { EventDraft, Usage } from '../../core/events.js';
import type { RunRecord, Store } from '../../store/store.js';
import { PatchTooLargeError } from '../errors.js';
import { loadManifest } from '../restore.js';
import { sandboxExec } from '../sandbox/sandbox-exec.js';
import type { SandboxResult } from '../sandbox/types.js';
import { openScratchWorkspace } from '../scratch-workspace.js';
import { execInputSchema } from './exec-input.js';

/**
 * What the runtime hands an executor (structurally the runtime's `RunExecutorContext`; declared
 * here so that the workspace layer does not import the runtime above it).
 */
export interface ExecExecutorContext {
  run: RunRecord;
  journal: { append(draft: EventDraft): Promise<unknown> };
  signal: AbortSignal;
  store: Store;
  /** The environment Baton runs in, which git starts from. */
  env: Environment;
}

/** How an exec run ended, in the shape of the loop's turn outcome. */
export type ExecOutcome =
  | { status: 'succeeded'; text: string; usage: Usage; steps: number }
  | { status: 'failed'; error: ErrorBody; usage: Usage; steps: number }
  | { status: 'cancelled'; usage: Usage; steps: number };

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };
const TAIL_BYTES = 4096;

function tail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= TAIL_BYTES ? text : bytes.subarray(bytes.length - TAIL_BYTES).toString('utf8');
}

/**
 * The executor of `exec` runs: restores the captured workspace into a fresh scratch directory,
 * runs the command under the run's sandbox policy, records `sandbox.command`, captures the
 * run's own change as the result patch and records `workspace.patch`. The user's working tree
 * is never touched. A rerun after a crash starts again from a fresh restore.
 */
export function createExecExecutor(): (context: ExecExecutorContext) => Promise<ExecOutcome> {
  return async ({ run, journal, signal, store, env }) => {
    const input = execInputSchema.parse(run.input);
    const manifest = await loadManifest(store, input.manifestHash);
    const scratch = await openScratchWorkspace(manifest, store, {
      prefix: 'baton-exec-',
      signal,
      hostEnv: env,
    });
    try {
      let result: SandboxResult;
      try {
        result = await sandboxExec({
          cwd: scratch.checkout,
          gitDir: scratch.gitDir,
          command: input.command,
          policy: input.policy,
          signal,
        });
      } catch (error) {
        if (error instanceof CancelledError) return { status: 'cancelled', usage: NO_USAGE, steps: 0 };
        throw error;
      }
      await journal.append({
        type: 'sandbox.command',
        data: {
          command: input.command,
          exitCode: result.exitCode,
          signal: result.signal,
          timedOut: result.timedOut,
          durationMs: result.durationMs,
          outputTail: tail(result.stdout),
          errorTail: tail(result.stderr),
        },
      });
      try {
        const { patch: _bytes, ...patch } = await scratch.capturePatch(store, {
          secretPatterns: input.secretPatterns,
          maxPatchBytes: input.policy.limits.patchBytes,
          signal,
        });
        await journal.append({ type: 'workspace.patch', data: patch });
      } catch (error) {
        if (error instanceof PatchTooLargeError) return failed({ code: error.code, message: error.message });
        throw error;
      }
      return outcomeOf(result);
    } finally {
      await scratch.remove();
    }
  };
}

function failed(error: ErrorBody): ExecOutcome {
  return { status: 'failed', error, usage: NO_USAGE, steps: 0 };
}

function outcomeOf(result: SandboxResult): ExecOutcome {
  if (result.exitCode === 0) {
    return { status: 'succeeded', text: 'the command exited with code 0', usage: NO_USAGE, steps: 0 };
  }
  return failed(
    result.timedOut
      ? {
          code: 'command_timed_out',
          message: `the command was killed after ${result.durationMs} ms (timeout)`,
        }
      : {
          code: 'command_failed',
          message:
            result.exitCode === null
              ? `the command was killed by ${result.signal ?? 'a signal'}`
              : `the command exited with code ${result.exitCode}`,
        },
  );
}
