import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import { isTerminalRunEvent } from '../../core/events.js';
import { resolveModel } from '../../model/resolve-model.js';
import { loadAgentFile } from '../../runtime/agent-loader.js';
import type { Runtime, RunView } from '../../runtime/types.js';
import { isRunEnded } from '../../store/records.js';
import { exitCodeForRun } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';
import { addDbOption, leaseTtlOption, writeJsonLine } from '../options.js';
import { pricesFromEnv } from '../prices.js';
import { RunPrinter } from '../run-printer.js';
import { addSandboxOptions } from '../sandbox-options.js';
import { signalExitCode, stopOnSignals } from '../stop-signals.js';
import {
  collectGlobs,
  finishCliWorkspaceRun,
  startCliWorkspaceRun,
  type WorkspaceRunFlags,
} from '../workspace-run.js';

interface RunFlags extends WorkspaceRunFlags {
  json?: boolean;
  model?: string;
  db?: string;
  detach?: boolean;
  leaseTtl?: number;
}

/** `baton run <agent-file> <message...>`: start a session and execute its run in this process. */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run an agent on a message, durably, in this process')
    .argument('<agent-file>', 'TypeScript or JavaScript module whose default export is an agent')
    .argument('<message...>', 'the user message')
    .option('--json', 'print every persisted event as one JSON line (NDJSON), nothing else')
    .option('--model <name>', "override the agent's model (provider:model-id)")
    .option('--detach', 'only enqueue the run; print {"sessionId","runId"} and exit')
    .option(
      '--workspace <dir>',
      'work on a sandboxed copy of this git workspace with the workspace tools; stores the patch, issues a receipt',
    )
    .option(
      '--allow-untracked <glob>',
      'with --workspace: capture untracked files matching this glob (repeatable)',
      collectGlobs,
      [],
    )
    .option('--no-sandbox', 'with --workspace: run commands without bubblewrap isolation (explicit opt-out)')
    .addOption(leaseTtlOption());
  addDbOption(addSandboxOptions(command)).action(async (file: string, words: string[], flags: RunFlags) => {
    const agent = await loadAgentFile(file);
    const model = flags.model;
    if (model !== undefined) resolveModel(model, process.env);
    const prices = await pricesFromEnv();
    process.exitCode = await withStore(flags.db, async (store) => {
      const runtime = createRuntime({
        store,
        agents: [agent],
        ...(prices && { prices }),
        ...(flags.leaseTtl && { leaseTtlMs: flags.leaseTtl }),
      });
      const workspace = flags.workspace;
      const { sessionId, runId } =
        workspace !== undefined
          ? await startCliWorkspaceRun(store, agent, file, words.join(' '), { ...flags, workspace })
          : await runtime.start({
              agent: agent.name,
              message: words.join(' '),
              agentModule: resolve(file),
              caller: { kind: 'cli', subject: userInfo().username },
              ...(flags.model !== undefined && { model: flags.model }),
            });
      if (flags.detach) {
        writeJsonLine({ sessionId, runId });
        return 0;
      }
      const code = await executeAndPrint(runtime, sessionId, runId, flags);
      if (workspace !== undefined) await finishCliWorkspaceRun(store, runId, flags.db);
      return code;
    });
  });
}

/** Executes the run while printing its stream; the exit code follows the run's status. */
async function executeAndPrint(
  runtime: Runtime,
  sessionId: string,
  runId: string,
  flags: RunFlags,
): Promise<number> {
  const stop = stopOnSignals();
  const printer = new RunPrinter({
    write: (text) => process.stdout.write(text),
    tty: process.stdout.isTTY === true,
  });
  const streamStop = new AbortController();
  const printing = (async () => {
    // `follow` keeps the stream open past idle moments; it ends at this run's terminal event.
    // This process's own reader of its own run: it is never cut off for lagging behind.
    const stream = runtime.stream(sessionId, {
      follow: true,
      signal: streamStop.signal,
      maxLagEvents: Number.POSITIVE_INFINITY,
    });
    for await (const event of stream) {
      if (flags.json) {
        if (event.type !== 'model.delta') writeJsonLine(event);
      } else {
        printer.event(event);
      }
      if (event.type !== 'model.delta' && isTerminalRunEvent(event) && event.runId === runId) return;
    }
  })();
  let run: RunView;
  try {
    run = await runtime.execute(runId, {
      signal: stop.signal,
      // Ctrl-C at the terminal stops at once; the run is resumable by any worker.
      drainGraceMs: 0,
      ...(flags.leaseTtl && { leaseTtlMs: flags.leaseTtl }),
    });
  } catch (error) {
    streamStop.abort();
    throw error;
  } finally {
    stop.dispose();
  }
  if (!isRunEnded(run.status)) streamStop.abort();
  await printing;
  printer.close();
  const signal = stop.received();
  if (signal) {
    process.stderr.write(`baton: stopped; run ${runId} is left for \`baton worker\` to resume\n`);
    return signalExitCode(signal);
  }
  if (!flags.json) printer.summary(run);
  else if (run.status === 'failed') {
    // The NDJSON on stdout carries `run.failed`; stderr says it once for a person.
    process.stderr.write(`baton: run failed: ${run.error?.code}: ${run.error?.message}\n`);
  }
  if (!isRunEnded(run.status) && run.status !== 'waiting') {
    process.stderr.write(`baton: run ${runId} is ${run.status}; \`baton worker\` resumes it\n`);
  }
  return exitCodeForRun(run.status);
}
