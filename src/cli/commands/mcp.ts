import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Agent } from '../../core/agent.js';
import { runtimeTaskService } from '../../delegation/runtime-task-service.js';
import { serveMcpStdio } from '../../mcp/stdio-server.js';
import { agentModuleLoader, loadAgentsDir } from '../../runtime/agent-loader.js';
import { packageVersion } from '../../server/package-version.js';
import { openCliStore } from '../open-cli-store.js';
import { addDbOption, integerAtLeast, leaseTtlOption, repoRootOption } from '../options.js';
import { pricesFromEnv } from '../prices.js';
import { stopOnSignals } from '../stop-signals.js';

interface McpFlags {
  agents?: string;
  db?: string;
  workers: number;
  leaseTtl?: number;
  repoRoot?: string[];
}

const DEFAULT_AGENTS_DIR = 'agents';

/**
 * `baton mcp`: the delegation tools as an MCP server over stdio, with in-process workers that
 * execute the tasks. stdout carries protocol messages only; diagnostics go to stderr.
 */
export function registerMcp(program: Command): void {
  const command = program
    .command('mcp')
    .description('serve the delegation tools over MCP (stdio)')
    .option(
      '--agents <dir>',
      `load every agent module in this directory (default: ./${DEFAULT_AGENTS_DIR} if present)`,
    )
    .option('--workers <n>', 'tasks executed at once in this process; 0 = queue only', integerAtLeast(0), 2)
    .addOption(leaseTtlOption())
    .addOption(repoRootOption());
  addDbOption(command).action(async (flags: McpFlags) => {
    routeConsoleToStderr();
    const agentsDir = flags.agents ?? (existsSync(DEFAULT_AGENTS_DIR) ? DEFAULT_AGENTS_DIR : undefined);
    const agents = agentsDir === undefined ? new Map<string, Agent>() : await loadAgentsDir(agentsDir);
    const prices = await pricesFromEnv();
    const store = await openCliStore(flags.db);
    const runtime = createRuntime({
      store,
      agents,
      loadAgentModule: agentModuleLoader(),
      ...(prices && { prices }),
      ...(flags.leaseTtl !== undefined && { leaseTtlMs: flags.leaseTtl }),
    });
    const worker = flags.workers > 0 ? runtime.startWorker({ concurrency: flags.workers }) : undefined;
    const stop = stopOnSignals();
    process.stderr.write(
      `baton mcp: agents: ${[...agents.keys()].join(', ') || '(none)'}; workers: ${flags.workers}\n`,
    );
    try {
      await serveMcpStdio({
        tasks: runtimeTaskService(runtime, { repoRoots: flags.repoRoot ?? [process.cwd()] }),
        version: packageVersion(),
        signal: stop.signal,
      });
    } finally {
      stop.dispose();
      await worker?.stop();
      await runtime.close();
      await store.close();
    }
  });
}

/**
 * On stdio, stdout belongs to the protocol: a loaded agent module or tool that logs with
 * `console.log` would corrupt the stream for the client, so console output goes to stderr.
 */
function routeConsoleToStderr(): void {
  const toStderr = console.error.bind(console);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
