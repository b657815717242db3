import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, type ErrorBody } from '../../core/errors.js';
import type { EventDraft, Usage } from '../../core/events.js';
import type { RunRecord, Store } from '../../store/store.js';
import { capturePatch } from '../patch.js';
import { loadManifest, restoreWorkspace } from '../restore.js';
import { sandboxExec } from '../sandbox/sandbox-exec.js';
import type { SandboxResult } from '../sandbox/types.js';
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
 * The executor of `exec` runs: restores the captured workspace into a scratch directory under
 * the system temp dir, runs the command in the sandbox, records `sandbox.command`, captures the
 * result patch as a blob and records `workspace.patch`. The user's working tree is never
 * touched. A rerun after a crash starts again from a fresh restore.
 */
export function createExecExecutor(): (context: ExecExecutorContext) => Promise<ExecOutcome> {
  return async ({ run, journal, signal, store }) => {
    const input = execInputSchema.parse(run.input);
    const manifest = await loadManifest(store, input.manifestHash);
    const scratch = await mkdtemp(join(tmpdir(), 'baton-exec-'));
    try {
      const checkout = join(scratch, 'workspace');
      await restoreWorkspace(manifest, checkout, store, { signal });
      let result: SandboxResult;
      try {
        result = await sandboxExec({
          cwd: checkout,
          command: input.command,
          timeoutMs: input.timeoutMs,
          maxOutputBytes: input.maxOutputBytes,
          sandbox: input.sandbox,
          hidePaths: input.hidePaths,
          allowHosts: input.allowHosts,
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
      const patch = await capturePatch(checkout, manifest.baseRef, store, {
        secretPatterns: input.secretPatterns,
        signal,
      });
      await journal.append({ type: 'workspace.patch', data: patch });
      return outcomeOf(result);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}

function outcomeOf(result: SandboxResult): ExecOutcome {
  if (result.exitCode === 0) {
    return { status: 'succeeded', text: 'the command exited with code 0', usage: NO_USAGE, steps: 0 };
  }
  const error: ErrorBody = result.timedOut
    ? { code: 'command_timed_out', message: `the command was killed after ${result.durationMs} ms (timeout)` }
    : {
        code: 'command_failed',
        message:
          result.exitCode === null
            ? `the command was killed by ${result.signal ?? 'a signal'}`
            : `the command exited with code ${result.exitCode}`,
      };
  return { status: 'failed', error, usage: NO_USAGE, steps: 0 };
}
