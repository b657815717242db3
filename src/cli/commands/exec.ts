import { constants } from 'node:os';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import type { BatonEvent } from '../../core/events.js';
import { canonicalJson } from '../../core/hash.js';
import { currentUserName } from '../../core/user-name.js';
import { issueReceipt } from '../../governed/issue.js';
import { startExec } from '../../governed/start-exec.js';
import { ensureBatonHome } from '../../proof/baton-home.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import type { Store } from '../../store/store.js';
import { ensureBwrap } from '../../workspace/sandbox/bwrap.js';
import { addConfigOptions, configured } from '../config-options.js';
import { EXIT, exitCodeForRun } from '../exit-codes.js';
import { plural } from '../format.js';
import { reportFailuresAsJson } from '../json-errors.js';
import { cliLogger, cliTelemetry } from '../observability.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';
import { runtimeOptions } from '../runtime-options.js';
import { sandboxRunOptions } from '../sandbox-options.js';
import { signalExitCode, stopOnSignals } from '../stop-signals.js';

/**
 * `baton exec [flags] -- <command...>`: a governed run. Captures the current git workspace,
 * issues a contract, runs the command in the sandbox on a scratch restore, stores the patch and
 * issues a receipt. The working tree is never modified.
 */
export function registerExec(program: Command, env: Environment): void {
  const command = program
    .command('exec')
    .description('run a command on a sandboxed copy of this git workspace, as a governed durable run')
    .argument('<command...>', 'the command and its arguments (put them after --)');
  // Baton failing before the command could run exits with Baton's own code (cli/exit-codes.ts).
  const reportingFailures = reportFailuresAsJson(command);
  addConfigOptions(command, 'exec').action(
    reportingFailures(
      configured(env, async (config, argv: string[]) => {
        process.exitCode = await governedExec(argv, config);
      }),
    ),
  );
}

/**
 * Runs the governed exec and prints its outcome; resolves with the exit code. Once the command
 * ran (phase `command`), that is the command's own: its exit status, 128 + the signal number when
 * a signal ended it, 124 when it timed out (as `timeout(1)` does). A run that failed after its
 * command succeeded exits as a failed run (phase `baton`).
 */
async function governedExec(argv: string[], config: BatonConfig): Promise<number> {
  // Refuse before anything is captured or recorded when the sandbox cannot run here.
  if (config.sandbox) await ensureBwrap('bwrap');
  await ensureBatonHome(config.home);
  const keys = await loadOrCreateKeys(config.home);
  const logger = cliLogger(config);
  const telemetry = await cliTelemetry(config, logger);
  const stop = stopOnSignals(config.env);
  try {
    return await withStore(
      config,
      async (store) => {
        const started = await startExec(store, {
          dir: process.cwd(),
          command: argv,
          allowUntracked: config.allowUntracked,
          allowHosts: config.allowHost,
          sandbox: config.sandbox ? 'bwrap' : 'none',
          ...sandboxRunOptions(config),
          keys,
          requestedBy: { kind: 'cli', subject: currentUserName() },
          signal: stop.signal,
          ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout }),
          ...(config.maxOutput === undefined ? {} : { maxOutputBytes: config.maxOutput }),
        });
        const runtime = createRuntime({
          store,
          ...runtimeOptions(config, undefined, logger),
          ...telemetry.options,
        });
        const run = await runtime.execute(started.runId, { signal: stop.signal, drainGraceMs: 0 });
        await runtime.close();
        if (run.status === 'running' || run.status === 'queued') {
          const signal = stop.received();
          const exitCode = signal ? signalExitCode(signal) : EXIT.workFailed;
          process.stderr.write(`baton: run ${run.id} was interrupted; resume it with \`baton worker\`\n`);
          if (config.json) writeJsonLine({ runId: run.id, status: run.status, phase: 'baton', exitCode });
          return exitCode;
        }
        const receipt = await issueReceipt(store, run.id, keys);
        const summary = await summarize(store, run.sessionId, run.id);
        // A command that succeeded in a run Baton then failed (a patch over its limits, say) must
        // not pass for a success: that exit code is Baton's.
        const commandCode = summary.command && commandExitCode(summary.command);
        const phase =
          commandCode === undefined || (commandCode === 0 && run.status !== 'succeeded')
            ? 'baton'
            : 'command';
        const exitCode = phase === 'command' ? (commandCode ?? EXIT.workFailed) : exitCodeForRun(run.status);
        if (config.json) {
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
      },
      logger,
    );
  } finally {
    stop.dispose();
    await telemetry.shutdown();
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
