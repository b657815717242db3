import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { AuthMode } from '../../server/auth.js';
import { AUTH_MODES, authFromEnv } from '../../server/auth.js';
import { isLoopbackHost, parseAllowedHost } from '../../server/host-guard.js';
import { parseOrigin } from '../../server/origin-guard.js';
import { startBatonServer } from '../../server/start-server.js';
import type { LogLevel } from '../../telemetry/logger.js';
import { createLogger } from '../../telemetry/logger.js';
import { addDbOption, integerAtLeast, leaseTtlOption, logLevelOption, repoRootOption } from '../options.js';
import { pricesFromEnv } from '../prices.js';
import { stopOnSignals } from '../stop-signals.js';

interface ServeFlags {
  agents?: string;
  port: number;
  host?: string;
  db?: string;
  workers: number;
  auth: AuthMode;
  leaseTtl?: number;
  bodyLimit?: number;
  repoRoot?: string[];
  allowedHost: string[];
  corsOrigin: string[];
  logLevel: LogLevel;
}

const DEFAULT_AGENTS_DIR = 'agents';

/**
 * `baton serve`: the HTTP API over the store, with in-process workers. Prints the URL once
 * listening and logs JSON lines on stderr; SIGINT/SIGTERM drain (stop accepting, let running
 * steps commit, release leases, close the store) and exit 0.
 */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the HTTP API and execute runs')
    .option('--agents <dir>', `load every agent module in this directory (default: ./${DEFAULT_AGENTS_DIR})`)
    .option('--port <port>', 'port to listen on; 0 picks a free one', port, 7070)
    .option('--host <host>', 'interface to bind (default: 127.0.0.1)')
    .option('--workers <n>', 'runs executed at once in this process; 0 = serve only', integerAtLeast(0), 2)
    .addOption(new Option('--auth <mode>', 'how callers authenticate').choices(AUTH_MODES).default('none'))
    .option('--body-limit <bytes>', 'largest accepted request body (default: 1 MiB)', integerAtLeast(1))
    .option(
      '--allowed-host <host>',
      'also answer requests whose Host is this name, or name:port (repeatable)',
      repeatable(allowedHost),
      [],
    )
    .option(
      '--cors-origin <origin>',
      'let web pages of this origin call the API, e.g. https://app.example (repeatable)',
      repeatable(origin),
      [],
    )
    .addOption(logLevelOption())
    .addOption(leaseTtlOption())
    .addOption(repoRootOption());
  addDbOption(command).action(async (flags: ServeFlags) => {
    const logger = createLogger({ level: flags.logLevel });
    const auth = authFromEnv(flags.auth);
    const prices = await pricesFromEnv();
    if (flags.auth === 'none' && flags.host !== undefined && !isLoopbackHost(flags.host)) {
      logger.warn('--auth none on a non-loopback host lets anyone on the network in', { host: flags.host });
    }
    const agentsDir = flags.agents ?? (existsSync(DEFAULT_AGENTS_DIR) ? DEFAULT_AGENTS_DIR : undefined);
    if (agentsDir === undefined) {
      logger.info(`no ./${DEFAULT_AGENTS_DIR} directory; serving without agents`);
    }
    const stop = stopOnSignals();
    const server = await startBatonServer({
      auth,
      workers: flags.workers,
      port: flags.port,
      logger,
      allowedHosts: flags.allowedHost,
      corsOrigins: flags.corsOrigin,
      ...(prices && { prices }),
      ...(flags.host !== undefined && { host: flags.host }),
      ...(agentsDir !== undefined && { agentsDir }),
      ...(flags.db !== undefined && { db: flags.db }),
      ...(flags.leaseTtl !== undefined && { leaseTtlMs: flags.leaseTtl }),
      ...(flags.bodyLimit !== undefined && { bodyLimit: flags.bodyLimit }),
      repoRoots: flags.repoRoot ?? [process.cwd()],
    }).catch((error: unknown) => {
      stop.dispose();
      throw error;
    });
    logger.info('listening', { url: server.url, agents: [...server.agents.keys()], workers: flags.workers });
    process.stdout.write(`Baton listening on ${server.url}\n`);
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    logger.info('draining', { signal: stop.received() ?? 'signal' });
    try {
      await server.stop();
    } finally {
      stop.dispose();
    }
    logger.info('stopped');
  });
}

function port(value: string): number {
  const parsed = integerAtLeast(0)(value);
  if (parsed > 65_535) throw new InvalidArgumentError('expected a port between 0 and 65535');
  return parsed;
}

function allowedHost(value: string): string {
  if (parseAllowedHost(value) === undefined)
    throw new InvalidArgumentError('expected a host name, or name:port');
  return value;
}

function origin(value: string): string {
  const parsed = parseOrigin(value);
  if (parsed === undefined) throw new InvalidArgumentError('expected an origin such as https://app.example');
  return parsed;
}

/** A commander parser that checks each value and collects the repeated flag into a list. */
function repeatable(check: (value: string) => string): (value: string, previous: string[]) => string[] {
  return (value, previous) => [...previous, check(value)];
}
