import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonEvent } from '../../core/events.js';
import { canonicalJson } from '../../core/hash.js';
import { ensureBatonHome, resolveBatonHome } from '../../proof/baton-home.js';
import { issueReceipt } from '../../proof/issue.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import type { Store } from '../../store/store.js';
import { startExec } from '../../workspace/governed/start-exec.js';
import { ensureBwrap } from '../../workspace/sandbox/bwrap.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, writeJsonLine } from '../options.js';
import { addSandboxOptions, type SandboxFlags, sandboxRunOptions } from '../sandbox-options.js';
import { stopOnSignals } from '../stop-signals.js';

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
    .option('--json', 'print { runId, status, exitCode, patch, receipt } as JSON');
  addDbOption(addSandboxOptions(command)).action(async (argv: string[], flags: ExecFlags) => {
    // Refuse before anything is captured or recorded when the sandbox cannot run here.
    if (flags.sandbox) await ensureBwrap('bwrap');
    const home = resolveBatonHome({ db: flags.db });
    await ensureBatonHome(home);
    const keys = await loadOrCreateKeys(home);
    const stop = stopOnSignals();
    try {
      process.exitCode = await withStore(flags.db, async (store) => {
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
          process.stderr.write(`baton: run ${run.id} was interrupted; resume it with \`baton worker\`\n`);
          return 1;
        }
        const receipt = await issueReceipt(store, run.id, keys);
        const summary = await summarize(store, run.sessionId, run.id);
        if (flags.json) {
          // Re-parsed from its canonical JSON, the receipt prints with sorted keys: saved with
          // JSON.stringify it is byte-for-byte the file `baton verify` accepts.
          const canonicalReceipt: unknown = JSON.parse(canonicalJson(receipt));
          writeJsonLine({
            runId: run.id,
            status: run.status,
            exitCode: summary.exitCode,
            patch: summary.patch,
            receipt: canonicalReceipt,
          });
        } else {
          printHuman(run.id, run.status, run.error?.message, summary, started.manifest.denied);
        }
        return run.status === 'succeeded' ? 0 : 1;
      });
    } finally {
      stop.dispose();
    }
  });
}

interface ExecSummary {
  exitCode: number | null;
  command?: BatonEvent<'sandbox.command'>['data'];
  patch: { files: number; insertions: number; deletions: number };
}

async function summarize(store: Store, sessionId: string, runId: string): Promise<ExecSummary> {
  const events = (await store.readEvents(sessionId)).filter((event) => event.runId === runId);
  const summary: ExecSummary = { exitCode: null, patch: { files: 0, insertions: 0, deletions: 0 } };
  for (const event of events) {
    if (event.type === 'sandbox.command') {
      summary.exitCode = event.data.exitCode;
      summary.command = event.data;
    }
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
    `patch: ${files} file(s), +${insertions} -${deletions}${files > 0 ? ` (baton pull ${runId})` : ''}`,
  );
  for (const entry of denied.filter((item) => item.reason === 'secret'))
    lines.push(`denied: ${entry.path} (secret)`);
  lines.push(`receipt: baton receipt ${runId}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
