import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { isTerminalRunEvent } from '../../core/events.js';
import { currentUserName } from '../../core/user-name.js';
import { resolveModel } from '../../model/resolve-model.js';
import { loadAgentFile } from '../../runtime/agent-loader.js';
import type { Runtime, RunView } from '../../runtime/types.js';
import { isRunEnded } from '../../store/records.js';
import { addConfigOptions, configured } from '../config-options.js';
import { exitCodeForRun } from '../exit-codes.js';
import { cliLogger, cliTelemetry } from '../observability.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';
import { loadPrices } from '../prices.js';
import { askAtTerminal, describeOpenGates, hasOpenGates, settleGatesInline } from '../run-gates.js';
import { RunPrinter } from '../run-printer.js';
import { runtimeOptions } from '../runtime-options.js';
import { signalExitCode, stopOnSignals } from '../stop-signals.js';
import { finishCliWorkspaceRun, startCliWorkspaceRun } from '../workspace-run.js';

/** `baton run <agent-file> <message...>`: start a session and execute its run in this process. */
export function registerRun(program: Command, env: Environment): void {
  addConfigOptions(
    program
      .command('run')
      .description('run an agent on a message, durably, in this process')
      .argument('<agent-file>', 'TypeScript or JavaScript module whose default export is an agent')
      .argument('<message...>', 'the user message'),
    'run',
  ).action(
    configured(env, async (config, file: string, words: string[]) => {
      const agent = await loadAgentFile(file);
      if (config.model !== undefined) resolveModel(config.model, config.env);
      const prices = await loadPrices(config);
      const logger = cliLogger(config);
      const telemetry = await cliTelemetry(config, logger);
      process.exitCode = await withStore(
        config,
        async (store) => {
          const runtime = createRuntime({
            store,
            agents: [agent],
            ...runtimeOptions(config, prices, logger),
            ...telemetry.options,
          });
          const workspace = config.workspace;
          const { sessionId, runId } =
            workspace !== undefined
              ? await startCliWorkspaceRun(store, agent, file, words.join(' '), { ...config, workspace })
              : await runtime.start({
                  agent: agent.name,
                  message: words.join(' '),
                  agentModule: resolve(file),
                  caller: { kind: 'cli', subject: currentUserName() },
                  ...(config.model !== undefined && { model: config.model }),
                });
          if (config.detach) {
            writeJsonLine({ sessionId, runId });
            return 0;
          }
          const code = await executeAndPrint(runtime, sessionId, runId, config);
          if (workspace !== undefined) await finishCliWorkspaceRun(store, runId, config.home);
          return code;
        },
        logger,
      ).finally(() => telemetry.shutdown());
    }),
  );
}

/**
 * Executes the run while printing its stream; the exit code follows the run's status. A run
 * left waiting for a person is put to them inline on a TTY and goes on once they answered;
 * without a TTY the command exits 4 naming the approvals and questions to settle.
 */
async function executeAndPrint(
  runtime: Runtime,
  sessionId: string,
  runId: string,
  config: BatonConfig,
): Promise<number> {
  const stop = stopOnSignals(config.env);
  const printer = new RunPrinter({
    write: (text) => process.stdout.write(text),
    tty: process.stdout.isTTY === true,
  });
  let run: RunView;
  try {
    let from = 0;
    for (;;) {
      ({ run, from } = await executePrinting(runtime, sessionId, runId, config, printer, stop.signal, from));
      if (run.status !== 'waiting' || stop.received()) break;
      if (run.waitingOn === 'children' && !(await hasOpenGates(runtime, sessionId))) {
        // Its children are left to runs this process cannot execute: nobody here can help.
        printer.close();
        process.stderr.write(
          `baton: run ${runId} is waiting on its children, which this process cannot run; \`baton worker\` resumes them\n`,
        );
        return exitCodeForRun(run.status);
      }
      if (process.stdin.isTTY !== true) {
        printer.close();
        process.stderr.write(await describeOpenGates(runtime, sessionId, runId));
        return exitCodeForRun(run.status);
      }
      try {
        await settleGatesInline(runtime, sessionId, askAtTerminal, stop.signal);
      } catch (error) {
        if (!stop.received()) throw error;
      }
      if (stop.received()) break;
    }
  } finally {
    stop.dispose();
  }
  printer.close();
  const signal = stop.received();
  if (signal) {
    process.stderr.write(`baton: stopped; run ${runId} is left for \`baton worker\` to resume\n`);
    return signalExitCode(signal);
  }
  if (!config.json) printer.summary(run);
  else if (run.status === 'failed') {
    // The NDJSON on stdout carries `run.failed`; stderr says it once for a person.
    process.stderr.write(`baton: run failed: ${run.error?.code}: ${run.error?.message}\n`);
  }
  if (!isRunEnded(run.status) && run.status !== 'waiting') {
    process.stderr.write(`baton: run ${runId} is ${run.status}; \`baton worker\` resumes it\n`);
  }
  return exitCodeForRun(run.status, run.error);
}

/** Executes the run once (until it ends or parks) while printing its stream from `from`. */
async function executePrinting(
  runtime: Runtime,
  sessionId: string,
  runId: string,
  config: BatonConfig,
  printer: RunPrinter,
  signal: AbortSignal,
  from: number,
): Promise<{ run: RunView; from: number }> {
  const streamStop = new AbortController();
  let next = from;
  const printing = (async () => {
    // `follow` keeps the stream open past idle moments; it ends at this run's terminal event.
    // This process's own reader of its own run: it is never cut off for lagging behind.
    const stream = runtime.stream(sessionId, {
      from,
      follow: true,
      signal: streamStop.signal,
      maxLagEvents: Number.POSITIVE_INFINITY,
    });
    for await (const event of stream) {
      if (config.json) {
        if (event.type !== 'model.delta') writeJsonLine(event);
      } else {
        printer.event(event);
      }
      if (event.type === 'model.delta') continue;
      next = event.seq + 1;
      if (isTerminalRunEvent(event) && event.runId === runId) return;
    }
  })();
  let run: RunView;
  try {
    // Children of agents used as tools run here too; the stream prints the root's events only.
    run = await runtime.executeTree(runId, {
      signal,
      // Ctrl-C at the terminal stops at once; the run is resumable by any worker.
      drainGraceMs: 0,
    });
  } catch (error) {
    streamStop.abort();
    throw error;
  }
  if (!isRunEnded(run.status)) streamStop.abort();
  await printing;
  return { run, from: next };
}
