import { CancelledError, type ErrorBody } from '../core/errors.js';
import type { Usage } from '../core/events.js';
import type { TurnOutcome } from '../loop/types.js';
import { kindDefinitionHash } from '../runtime/definition-hash.js';
import type { RunKind } from '../runtime/run-kind.js';
import { PatchTooLargeError } from '../workspace/errors.js';
import { loadManifest } from '../workspace/restore.js';
import { sandboxExec } from '../workspace/sandbox/sandbox-exec.js';
import type { SandboxResult } from '../workspace/sandbox/types.js';
import { openScratchWorkspace } from '../workspace/scratch-workspace.js';
import { type ExecInput, execInputSchema } from './exec-input.js';
import { type ReleaseSecrets, releaseRunSecrets, secretMask } from './released-secrets.js';

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };
const TAIL_BYTES = 4096;

function tail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= TAIL_BYTES ? text : bytes.subarray(bytes.length - TAIL_BYTES).toString('utf8');
}

/**
 * The `exec` kind (`baton exec`): restores the captured workspace into a fresh scratch
 * directory, runs the command under the run's sandbox policy, records `sandbox.command`,
 * captures the run's own change as the result patch and records `workspace.patch`. The user's
 * working tree is never touched. A resumed attempt starts again from a fresh restore. Its
 * definition is its input, which the contract pins, so the hash is the kind's own.
 */
export function execKind(releaseSecrets?: ReleaseSecrets): RunKind<ExecInput> {
  return {
    name: 'exec',
    inputSchema: execInputSchema,
    claim: 'kind',
    definitionHash: async ({ run }) => kindDefinitionHash(run),
    execute: (context) => executeCommand(context, releaseSecrets),
  };
}

async function executeCommand(
  { run, input, journal, signal, store, env }: Parameters<RunKind<ExecInput>['execute']>[0],
  releaseSecrets: ReleaseSecrets | undefined,
): ReturnType<RunKind<ExecInput>['execute']> {
  const released = await releaseRunSecrets(run, input.secrets ?? [], releaseSecrets, env);
  if ('error' in released) return failed(released.error);
  const { secrets } = released;
  const mask = secretMask(secrets);
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
        policy: { ...input.policy, env: { ...input.policy.env, ...secrets } },
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
        outputTail: mask(tail(result.stdout)),
        errorTail: mask(tail(result.stderr)),
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
}

/** Replaces every released secret's value in recorded output by `[secret NAME]`. */
function failed(error: ErrorBody): TurnOutcome {
  return { status: 'failed', error, usage: NO_USAGE, steps: 0 };
}

function outcomeOf(result: SandboxResult): TurnOutcome {
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
