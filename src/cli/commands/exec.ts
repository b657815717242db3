import { constants, userInfo } from 'node:os';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import { toErrorBody } from '../../core/errors.js';
import type { BatonEvent } from '../../core/events.js';
import { canonicalJson } from '../../core/hash.js';
import { issueReceipt } from '../../governed/issue.js';
import { startExec } from '../../governed/start-exec.js';
import { ensureBatonHome, resolveBatonHome } from '../../proof/baton-home.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import type { Store } from '../../store/store.js';
import { ensureBwrap } from '../../workspace/sandbox/bwrap.js';
import { EXIT, exitCodeForError, exitCodeForRun } from '../exit-codes.js';
import { plural } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, writeJsonLine } from '../options.js';
import { addSandboxOptions, type SandboxFlags, sandboxRunOptions } from '../sandbox-options.js';
import { signalExitCode, stopOnSignals } from '../stop-signals.js';

interface ExecFlags extends SandboxFlags {
  allowUntracked: string[];
  allowHost: string[];
  timeout?: number;
  maxOutput?: number;
  sandbox: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `baton exec [flags] -- <command...>`: a governed run. Captures the current git workspace,
 * issues a contract, runs the command in the sandbox on a scratch restore, stores the patch and
 * issues a receipt. The working tree is never modified.
 */
export function registerExec(program: Command): void {
  const command = program
    .command('exec')
    .description('run a command on a sandboxed copy of this git workspace, as a governed durable run')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option(
      '--allow-untracked <glob>',
      'capture untracked files matching this glob (repeatable)',
      collect,
      [],
    )
    .option(
      '--allow-host <host>',
      'let the command reach this host (host, host:port or *.domain) through an allowlisting HTTP(S) proxy (repeatable)',
      collect,
      [],
    )
    .option('--timeout <ms>', 'kill the command after this many ms (default 600000)', integerAtLeast(1))
    .option('--max-output <bytes>', 'keep at most this many bytes of stdout and of stderr', integerAtLeast(0))
    .option('--no-sandbox', 'run without bubblewrap isolation (explicit opt-out, recorded in the contract)')
    .option('--json', 'print { runId, status, phase, exitCode, patch, receipt } as JSON');
  addDbOption(addSandboxOptions(command)).action(async (argv: string[], flags: ExecFlags) => {
    try {
      process.exitCode = await governedExec(argv, flags);
    } catch (error) {
      // Baton failed before the command could run: the exit code is Baton's own (cli/exit-codes.ts).
      if (flags.json)
        writeJsonLine({ phase: 'baton', exitCode: exitCodeForError(error), error: toErrorBody(error) });
      throw error;
    }
  });
}

/**
 * Runs the governed exec and prints its outcome; resolves with the exit code. Once the command
 * ran (phase `command`), that is the command's own: its exit status, 128 + the signal number when
 * a signal ended it, 124 when it timed out (as `timeout(1)` does). A run that failed after its
 * command succeeded exits as a failed run (phase `baton`).
 */
async function governedExec(argv: string[], flags: ExecFlags): Promise<number> {
  // Refuse before anything is captured or recorded when the sandbox cannot run here.
  if (flags.sandbox) await ensureBwrap('bwrap');
  const home = resolveBatonHome({ db: flags.db });
  await ensureBatonHome(home);
  const keys = await loadOrCreateKeys(home);
  const stop = stopOnSignals();
  try {
    return await withStore(flags.db, async (store) => {
      const started = await startExec(store, {
        dir: process.cwd(),
        command: argv,
        allowUntracked: flags.allowUntracked,
        allowHosts: flags.allowHost,
        sandbox: flags.sandbox ? 'bwrap' : 'none',
        ...sandboxRunOptions(flags, home),
        keys,
        requestedBy: { kind: 'cli', subject: userInfo().username },
        signal: stop.signal,
        ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
        ...(flags.maxOutput === undefined ? {} : { maxOutputBytes: flags.maxOutput }),
      });
      const runtime = createRuntime({ store });
      const run = await runtime.execute(started.runId, { signal: stop.signal, drainGraceMs: 0 });
      await runtime.close();
      if (run.status === 'running' || run.status === 'queued') {
        const signal = stop.received();
        const exitCode = signal ? signalExitCode(signal) : EXIT.workFailed;
        process.stderr.write(`baton: run ${run.id} was interrupted; resume it with \`baton worker\`\n`);
        if (flags.json) writeJsonLine({ runId: run.id, status: run.status, phase: 'baton', exitCode });
        return exitCode;
      }
      const receipt = await issueReceipt(store, run.id, keys);
      const summary = await summarize(store, run.sessionId, run.id);
      // A command that succeeded in a run Baton then failed (a patch over its limits, say) must
      // not pass for a success: that exit code is Baton's.
      const commandCode = summary.command && commandExitCode(summary.command);
      const phase =
        commandCode === undefined || (commandCode === 0 && run.status !== 'succeeded') ? 'baton' : 'command';
      const exitCode = phase === 'command' ? (commandCode ?? EXIT.workFailed) : exitCodeForRun(run.status);
      if (flags.json) {
        // Re-parsed from its canonical JSON, the receipt prints with sorted keys: saved with
        // JSON.stringify it is byte-for-byte the file `baton verify` accepts.
        const canonicalReceipt: unknown = JSON.parse(canonicalJson(receipt));
        writeJsonLine({
          runId: run.id,
          status: run.status,
          phase,
          exitCode,
          ...(run.error && { error: run.error }),
          patch: summary.patch,
          receipt: canonicalReceipt,
        });
      } else {
        printHuman(run.id, run.status, run.error?.message, summary, started.manifest.denied);
      }
      return exitCode;
    });
  } finally {
    stop.dispose();
  }
}

/** The exit code a shell would report for the command as it ended. */
function commandExitCode(command: BatonEvent<'sandbox.command'>['data']): number {
  if (command.exitCode !== null) return command.exitCode;
  if (command.timedOut) return TIMED_OUT_EXIT_CODE;
  const number = command.signal ? constants.signals[command.signal as NodeJS.Signals] : undefined;
  return number === undefined ? EXIT.workFailed : 128 + number;
}

// What `timeout(1)` exits with when it had to stop its command.
const TIMED_OUT_EXIT_CODE = 124;

interface ExecSummary {
  command?: BatonEvent<'sandbox.command'>['data'];
  patch: { files: number; insertions: number; deletions: number };
}

async function summarize(store: Store, sessionId: string, runId: string): Promise<ExecSummary> {
  const events = (await store.readEvents(sessionId)).filter((event) => event.runId === runId);
  const summary: ExecSummary = { patch: { files: 0, insertions: 0, deletions: 0 } };
  for (const event of events) {
    if (event.type === 'sandbox.command') summary.command = event.data;
    if (event.type === 'workspace.patch') {
      summary.patch = {
        files: event.data.files,
        insertions: event.data.insertions,
        deletions: event.data.deletions,
      };
    }
  }
  return summary;
}

function printHuman(
  runId: string,
  status: string,
  error: string | undefined,
  summary: ExecSummary,
  denied: { path: string; reason: string }[],
): void {
  if (summary.command) {
    process.stdout.write(summary.command.outputTail);
    process.stderr.write(summary.command.errorTail);
  }
  const lines = [`run ${runId} ${status}${error ? `: ${error}` : ''}`];
  const { files, insertions, deletions } = summary.patch;
  lines.push(
    `patch: ${plural(files, 'file')}, +${insertions} -${deletions}${files > 0 ? ` (baton pull ${runId})` : ''}`,
  );
  for (const entry of denied.filter((item) => item.reason === 'secret'))
    lines.push(`denied: ${entry.path} (secret)`);
  lines.push(`receipt: baton receipt ${runId}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
