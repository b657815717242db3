import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { AuthMode } from '../../server/auth.js';
import { AUTH_MODES, authFromEnv } from '../../server/auth.js';
import { startBatonServer } from '../../server/start-server.js';
import { addDbOption, integerAtLeast, leaseTtlOption } from '../options.js';
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
}

const DEFAULT_AGENTS_DIR = 'agents';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `baton serve`: the HTTP API over the store, with in-process workers. Prints the URL once
 * listening; SIGINT/SIGTERM drain (stop accepting, let running steps commit, release leases,
 * close the store) and exit 0.
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
    .addOption(leaseTtlOption());
  addDbOption(command).action(async (flags: ServeFlags) => {
    const auth = authFromEnv(flags.auth);
    if (flags.auth === 'none' && flags.host !== undefined && !LOOPBACK.has(flags.host)) {
      process.stderr.write(
        `baton serve: warning: --auth none on ${flags.host} lets anyone on the network in\n`,
      );
    }
    const agentsDir = flags.agents ?? (existsSync(DEFAULT_AGENTS_DIR) ? DEFAULT_AGENTS_DIR : undefined);
    if (agentsDir === undefined) {
      process.stderr.write(`baton serve: no ./${DEFAULT_AGENTS_DIR} directory; serving without agents\n`);
    }
    const stop = stopOnSignals();
    const server = await startBatonServer({
      auth,
      workers: flags.workers,
      port: flags.port,
      ...(flags.host !== undefined && { host: flags.host }),
      ...(agentsDir !== undefined && { agentsDir }),
      ...(flags.db !== undefined && { db: flags.db }),
      ...(flags.leaseTtl !== undefined && { leaseTtlMs: flags.leaseTtl }),
      ...(flags.bodyLimit !== undefined && { bodyLimit: flags.bodyLimit }),
      onInternalError: (error) => console.error('baton serve: internal error:', error),
    }).catch((error: unknown) => {
      stop.dispose();
      throw error;
    });
    const names = [...server.agents.keys()];
    process.stderr.write(
      `baton serve: agents: ${names.length > 0 ? names.join(', ') : '(none)'}; workers: ${flags.workers}\n`,
    );
    process.stdout.write(`Baton listening on ${server.url}\n`);
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    process.stderr.write(`baton serve: ${stop.received() ?? 'signal'} received, draining\n`);
    try {
      await server.stop();
    } finally {
      stop.dispose();
    }
    process.stderr.write('baton serve: stopped\n');
  });
}

function port(value: string): number {
  const parsed = integerAtLeast(0)(value);
  if (parsed > 65_535) throw new InvalidArgumentError('expected a port between 0 and 65535');
  return parsed;
}
