import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { Agent } from '../../core/agent.js';
import type { Environment } from '../../core/environment.js';
import { runtimeTaskService } from '../../delegation/runtime-task-service.js';
import { serveMcpStdio } from '../../mcp/stdio-server.js';
import { agentModuleLoader, loadAgentsDir } from '../../runtime/agent-loader.js';
import { packageVersion } from '../../server/package-version.js';
import { addConfigOptions, configured } from '../config-options.js';
import { cliLogger, cliTelemetry } from '../observability.js';
import { openCliStore } from '../open-cli-store.js';
import { loadPrices } from '../prices.js';
import { runtimeOptions } from '../runtime-options.js';
import { stopOnSignals } from '../stop-signals.js';

const DEFAULT_AGENTS_DIR = 'agents';

/**
 * `baton mcp`: the delegation tools as an MCP server over stdio, with in-process workers that
 * execute the tasks. stdout carries protocol messages only; diagnostics go to stderr.
 */
export function registerMcp(program: Command, env: Environment): void {
  addConfigOptions(
    program.command('mcp').description('serve the delegation tools over MCP (stdio)'),
    'mcp',
  ).action(
    configured(env, async (config) => {
      routeConsoleToStderr();
      const agentsDir = config.agents ?? (existsSync(DEFAULT_AGENTS_DIR) ? DEFAULT_AGENTS_DIR : undefined);
      const agents = agentsDir === undefined ? new Map<string, Agent>() : await loadAgentsDir(agentsDir);
      const prices = await loadPrices(config);
      const logger = cliLogger(config);
      const telemetry = await cliTelemetry(config, logger);
      const store = await openCliStore(config, logger);
      const runtime = createRuntime({
        store,
        agents,
        loadAgentModule: agentModuleLoader(),
        ...runtimeOptions(config, prices, logger),
        ...telemetry.options,
      });
      const worker = config.workers > 0 ? runtime.startWorker({ concurrency: config.workers }) : undefined;
      const stop = stopOnSignals(config.env);
      process.stderr.write(
        `baton mcp: agents: ${[...agents.keys()].join(', ') || '(none)'}; workers: ${config.workers}\n`,
      );
      try {
        await serveMcpStdio({
          tasks: runtimeTaskService(runtime, {
            repoRoots: config.repoRoot.length > 0 ? config.repoRoot : [process.cwd()],
            env: config.env,
          }),
          version: packageVersion(),
          signal: stop.signal,
          approvals: runtime,
        });
      } finally {
        stop.dispose();
        await worker?.stop();
        await runtime.close();
        await store.close();
        await telemetry.shutdown();
      }
    }),
  );
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
