import { DEFAULT_RUNNER_BLOB_QUOTA } from '../governed/runner-blobs.js';
import { DEFAULT_LEASE_TTL_MS, MIN_LEASE_TTL_MS } from '../runtime/lease-settings.js';
import { DEFAULT_POLL_INTERVAL_MS } from '../runtime/worker.js';
import { AUTH_MODES, type AuthMode } from '../server/auth.js';
import { DEFAULT_BLOB_UPLOAD_QUOTA } from '../server/blob-upload-quota.js';
import { DEFAULT_DB_PATH } from '../store/open-store.js';
import type { SqliteSynchronous } from '../store/sqlite/sqlite-store.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../telemetry/logger.js';
import {
  allowedHost,
  boolean,
  byteSize,
  directory,
  httpUrl,
  integerAtLeast,
  keyValueList,
  nonNegativeNumber,
  oneOf,
  origin,
  port,
  text,
} from './parsers.js';
import { COMMANDS, type CommandName, setting } from './setting.js';

const SANDBOXED: readonly CommandName[] = ['run', 'exec'];
const RUNTIME_COMMANDS: readonly CommandName[] = ['run', 'worker', 'serve', 'mcp'];
/** `baton init` writes files and opens no store. */
const STORE_COMMANDS: readonly CommandName[] = COMMANDS.filter((name) => name !== 'init');
/** The commands that run or execute work for a while: they log (`--log-level`, `--log-format`). */
const LOGGING_COMMANDS: readonly CommandName[] = ['run', 'exec', 'mcp', 'serve', 'worker'];

/**
 * Every `BATON_*` variable and every flag of the `baton` CLI, with its default and what it
 * decides: the one table the CLI's options, {@link loadConfig} and docs/configuration.md
 * (`npm run docs:config`) are made from. Keys are the flags' names in camel case.
 */
export const SETTINGS = {
  // The store and the Baton home.
  db: setting({
    env: 'BATON_DB',
    // Every command but init opens the store (`verify` only when given --db).
    flag: { syntax: '--db <path>', commands: STORE_COMMANDS },
    description: 'the store: a SQLite file, a postgres:// URL, or :memory:',
    default: DEFAULT_DB_PATH,
    parse: text,
  }),
  home: setting<string>({
    env: 'BATON_HOME',
    description: 'the Baton home, which holds the signing keys (keys/) and is hidden from sandboxes',
    defaultText: 'the directory of a SQLite --db, else .baton',
    parse: text,
  }),
  sqliteSynchronous: setting<SqliteSynchronous>({
    env: 'BATON_SQLITE_SYNCHRONOUS',
    description: 'how a SQLite store commits: FULL survives power loss, NORMAL (WAL) only process crashes',
    default: 'NORMAL',
    choices: ['NORMAL', 'FULL'],
    parse: oneOf(['NORMAL', 'FULL'] as const),
    errorCode: 'invalid_option',
  }),
  pgPoolSize: setting({
    env: 'BATON_PG_POOL_SIZE',
    description: "connections in each process's Postgres pool (the LISTEN connection is extra)",
    default: 10,
    parse: integerAtLeast(1, 1000),
    errorCode: 'db_url_invalid',
  }),

  // Runs and models.
  leaseTtl: setting({
    env: 'BATON_LEASE_TTL_MS',
    flag: { syntax: '--lease-ttl <ms>', commands: RUNTIME_COMMANDS },
    description: 'how long a worker holds a run without renewing its lease, in ms (renewed every ttl/3)',
    default: DEFAULT_LEASE_TTL_MS,
    parse: integerAtLeast(MIN_LEASE_TTL_MS),
    errorCode: 'invalid_lease_ttl',
  }),
  builtInModel: setting<string>({
    env: 'BATON_MODEL',
    description:
      'the model (provider:model-id) of the built-in researcher, coder and reviewer agents of delegated tasks, when no agent of that name is loaded',
    defaultText: 'none: such a task fails with no_agent',
    parse: text,
  }),
  prices: setting<string>({
    env: 'BATON_PRICES',
    description:
      'a JSON file of model-id prefixes to { inputPerMillionUsd, outputPerMillionUsd }, extending the built-in price table',
    defaultText: 'the built-in table only',
    parse: text,
    errorCode: 'invalid_prices',
  }),
  tokenSecret: setting<string>({
    env: 'BATON_TOKEN_SECRET',
    description:
      'the secret continuation tokens are derived from; processes serving one store should share it',
    defaultText: 'random per process',
    parse: text,
    secret: true,
  }),
  model: setting<string>({
    flag: { syntax: '--model <name>', commands: ['run'] },
    description: "override the agent's model (provider:model-id)",
    parse: text,
  }),

  // Output.
  json: setting({
    flag: {
      syntax: '--json',
      commands: {
        run: 'print every persisted event as one JSON line (NDJSON), nothing else',
        'workers list': 'print the workers as one JSON array',
        'schedules list': 'print the schedules as one JSON array',
        'schedules trigger': 'print the fired tick { scheduleId, tick, sessionId, runId } as JSON',
        'schedules pause': 'print { id, paused } as JSON',
        'schedules resume': 'print { id, paused } as JSON',
        'runs list': 'print the runs as one JSON array',
        'runs show': 'print the run as JSON',
        events: 'one JSON event per line (NDJSON)',
        exec: 'print { runId, status, phase, exitCode, patch, receipt } as JSON',
        verify: 'print the verdict as JSON',
        'keys show': 'print { keyId, publicKey, publicKeyPem, path } as JSON',
        pull: 'print the result as JSON',
        handoff:
          'with --dry-run, the disclosure report; with --wait, one { runId, status, receipt, patch } object',
        'tasks list': 'print the tasks as one JSON array',
        'tasks show': 'print the task as JSON (the default)',
        'tasks cancel': 'print the cancelled task as JSON',
        'approvals list': 'print the open approvals as one JSON array',
        approve: 'print { approvalId, decision, by, decidedAt } as JSON',
        deny: 'print { approvalId, decision, by, decidedAt } as JSON',
        answer: 'print { requestId, answer, by, answeredAt } as JSON',
      },
    },
    description: 'print JSON',
    default: false,
  }),
  logLevel: setting<LogLevel>({
    flag: { syntax: '--log-level <level>', commands: LOGGING_COMMANDS },
    description: 'log lines kept on stderr (JSON lines)',
    default: 'info',
    choices: LOG_LEVELS,
    parse: oneOf(LOG_LEVELS),
  }),
  logFormat: setting<LogFormat>({
    flag: { syntax: '--log-format <format>', commands: LOGGING_COMMANDS },
    description: 'how log lines are written: json (one object per line) or pretty',
    defaultText: 'pretty on a terminal, else json',
    choices: LOG_FORMATS,
    parse: oneOf(LOG_FORMATS),
  }),
  timeline: setting({
    flag: { syntax: '--timeline', commands: ['runs show'] },
    description:
      "draw the run's steps, model calls and tools as bars (durations, tokens, cost), from its log",
    default: false,
  }),

  // Observability.
  otlpEndpoint: setting<string>({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'export spans over OTLP/HTTP to this collector (traces go to <url>/v1/traces); no tracing without it',
    defaultText: 'none',
    parse: httpUrl,
  }),
  otlpCompression: setting<'none' | 'gzip'>({
    env: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    description: 'compression of exported spans',
    default: 'none',
    choices: ['none', 'gzip'],
    parse: oneOf(['none', 'gzip'] as const),
  }),
  otlpHeaders: setting<Record<string, string>>({
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    description:
      'headers sent with exported spans, as key=value,key2=value2 (e.g. an API key of the collector)',
    defaultText: 'none',
    parse: keyValueList,
    secret: true,
  }),
  otelServiceName: setting({
    env: 'OTEL_SERVICE_NAME',
    description: 'the service.name of exported spans',
    default: 'baton',
    parse: text,
  }),
  otelCaptureContent: setting({
    env: 'BATON_OTEL_CAPTURE_CONTENT',
    description: 'record prompts, answers, tool arguments and results on spans (secrets redacted)',
    default: false,
    parse: boolean,
  }),
  metricsPublic: setting({
    flag: { syntax: '--metrics-public', commands: ['serve'] },
    description: 'serve GET /metrics without authentication (for a Prometheus scraper on a trusted network)',
    default: false,
  }),
  metricsPort: setting<number>({
    flag: { syntax: '--metrics-port <port>', commands: ['worker'] },
    description: 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics while the worker runs',
    defaultText: 'none',
    parse: port,
  }),

  // Agents and workers.
  agents: setting<string>({
    flag: {
      syntax: '--agents <dir>',
      commands: {
        worker: 'load every agent module in this directory',
        serve: 'load every agent module in this directory (default: ./agents)',
        mcp: 'load every agent module in this directory (default: ./agents if present)',
        'schedules list': 'the agents directory whose schedules to use (default: ./agents)',
        'schedules trigger': 'the agents directory whose schedules to use (default: ./agents)',
        'schedules pause': 'the agents directory whose schedules to use (default: ./agents)',
        'schedules resume': 'the agents directory whose schedules to use (default: ./agents)',
      },
    },
    description: 'load every agent module in this directory',
    parse: text,
  }),
  clockFile: setting<string>({
    flag: {
      syntax: '--clock-file <path>',
      commands: {
        serve:
          "test only: read the scheduler's clock (epoch ms or an ISO time) from this file instead of the system clock",
      },
    },
    description: "test only: the scheduler's clock is the time written in this file",
    parse: text,
  }),
  channels: setting<string>({
    flag: {
      syntax: '--channels <dir>',
      commands: {
        serve:
          'mount every webhook channel module in this directory at POST /hooks/<name> (default: channels/ beside the agents directory, if present)',
      },
    },
    description: 'mount every webhook channel module in this directory at POST /hooks/<name>',
    parse: text,
  }),
  agent: setting({
    flag: {
      syntax: '--agent <file>',
      commands: {
        worker: 'load this agent module (repeatable)',
        handoff: 'the agent that continues the work on the pool: mock (the default) or a vendor agent',
      },
      repeatable: true,
    },
    description: 'load this agent module (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  concurrency: setting({
    flag: { syntax: '--concurrency <n>', commands: ['worker'] },
    description: 'runs executed at once',
    default: 1,
    parse: integerAtLeast(1),
  }),
  schedules: setting({
    flag: { syntax: '--schedules', commands: ['worker'] },
    description: "also run the scheduler of the --agents directory's schedules (as baton serve does)",
    default: false,
  }),
  force: setting({
    flag: { syntax: '--force', commands: ['init'] },
    description: 'write the project into a directory that is not empty, replacing the files it writes',
    default: false,
  }),
  pool: setting<string>({
    flag: {
      syntax: '--pool <name>',
      commands: {
        worker:
          'run as a runner of this pool: claim its governed runs from --plane over HTTP, with no database',
        handoff: 'continue the work on this runner pool',
      },
    },
    description:
      'run as a runner of this pool: claim its governed runs from --plane over HTTP, with no database',
    parse: text,
  }),
  plane: setting<string>({
    flag: {
      syntax: '--plane <url>',
      commands: {
        worker: 'the plane (baton serve) a --pool runner works for',
        handoff: 'the plane (baton serve) to hand off to (default: http://127.0.0.1:7070)',
      },
    },
    description: 'the plane (baton serve) a --pool runner works for',
    parse: httpUrl,
  }),
  runnerToken: setting({
    flag: {
      syntax: '--runner-token <token>',
      commands: ['serve', 'worker'],
      repeatable: true,
    },
    description:
      'serve: a runner token, pool=token (repeatable; a bare token is pool default); worker: the token of its --pool',
    defaultText: 'none (serve: pool default, open only under --auth none)',
    default: [] as string[],
    parse: text,
    secret: true,
  }),
  blobCount: setting({
    flag: { syntax: '--blob-count <n>', commands: ['serve'] },
    description:
      'hand-off blobs (PUT /v1/blobs) the plane newly stores per hour; past that 429 upload_quota_exceeded',
    default: DEFAULT_BLOB_UPLOAD_QUOTA.maxBlobs,
    parse: integerAtLeast(1),
  }),
  blobQuota: setting({
    flag: { syntax: '--blob-quota <bytes>', commands: ['serve'] },
    description:
      'bytes of hand-off blobs (PUT /v1/blobs) the plane newly stores per hour; past that 429 upload_quota_exceeded',
    default: DEFAULT_BLOB_UPLOAD_QUOTA.maxBytes,
    defaultText: '16G',
    parse: byteSize,
  }),
  runnerBlobCount: setting({
    flag: { syntax: '--runner-blob-count <n>', commands: ['serve'] },
    description:
      'blobs a runner may upload for one run (its patch, receipt, artifacts); past that 413 blob_quota_exceeded',
    default: DEFAULT_RUNNER_BLOB_QUOTA.maxBlobs,
    parse: integerAtLeast(1),
  }),
  runnerBlobQuota: setting({
    flag: { syntax: '--runner-blob-quota <bytes>', commands: ['serve'] },
    description:
      'bytes a runner may upload for one run, summed over its blobs (each at most 16 MiB); past that 413 blob_quota_exceeded',
    default: DEFAULT_RUNNER_BLOB_QUOTA.maxBytes,
    defaultText: '1G',
    parse: byteSize,
  }),
  untilIdle: setting({
    flag: { syntax: '--until-idle', commands: ['worker'] },
    description: 'exit 0 once nothing this worker serves is runnable',
    default: false,
  }),
  pollInterval: setting({
    flag: { syntax: '--poll-interval <ms>', commands: ['worker'] },
    description: 'how often an idle worker looks for work, in ms',
    default: DEFAULT_POLL_INTERVAL_MS,
    parse: integerAtLeast(1),
  }),
  workers: setting({
    flag: {
      syntax: '--workers <n>',
      commands: {
        serve: 'runs executed at once in this process; 0 = serve only',
        mcp: 'tasks executed at once in this process; 0 = queue only',
      },
    },
    description: 'runs executed at once in this process; 0 = serve only',
    default: 2,
    parse: integerAtLeast(0),
  }),

  // The HTTP server.
  port: setting({
    flag: { syntax: '--port <port>', commands: ['serve'] },
    description: 'port to listen on; 0 picks a free one',
    default: 7070,
    parse: port,
  }),
  host: setting<string>({
    flag: { syntax: '--host <host>', commands: ['serve'] },
    description: 'interface to bind',
    defaultText: '127.0.0.1',
    parse: text,
  }),
  auth: setting<AuthMode>({
    flag: { syntax: '--auth <mode>', commands: ['serve'] },
    description:
      'how callers authenticate: bearer takes BATON_API_TOKEN, basic BATON_BASIC_USER and BATON_BASIC_PASSWORD',
    default: 'none',
    choices: AUTH_MODES,
    parse: oneOf(AUTH_MODES),
  }),
  apiToken: setting<string>({
    env: 'BATON_API_TOKEN',
    description: 'the token callers send as Authorization: Bearer <token> under --auth bearer',
    defaultText: 'none (required by --auth bearer)',
    parse: text,
    secret: true,
  }),
  adminToken: setting<string>({
    env: 'BATON_ADMIN_TOKEN',
    description:
      'a second bearer token, under --auth bearer or basic, whose caller may decide the approvals and answer the questions of any session',
    defaultText: 'none (only the initiator of a session decides)',
    parse: text,
    secret: true,
  }),
  basicUser: setting<string>({
    env: 'BATON_BASIC_USER',
    description: 'the user name of --auth basic',
    defaultText: 'none (required by --auth basic)',
    parse: text,
  }),
  basicPassword: setting<string>({
    env: 'BATON_BASIC_PASSWORD',
    description: 'the password of --auth basic',
    defaultText: 'none (required by --auth basic)',
    parse: text,
    secret: true,
  }),
  bodyLimit: setting<number>({
    flag: { syntax: '--body-limit <bytes>', commands: ['serve'] },
    description: 'largest accepted request body',
    defaultText: '1 MiB',
    parse: integerAtLeast(1),
  }),
  allowedHost: setting({
    flag: { syntax: '--allowed-host <host>', commands: ['serve'], repeatable: true },
    description: 'also answer requests whose Host is this name, or name:port (repeatable)',
    default: [] as string[],
    parse: allowedHost,
  }),
  corsOrigin: setting({
    flag: { syntax: '--cors-origin <origin>', commands: ['serve'], repeatable: true },
    description: 'let web pages of this origin call the API, e.g. https://app.example (repeatable)',
    default: [] as string[],
    parse: origin,
  }),
  repoRoot: setting({
    flag: { syntax: '--repo-root <dir>', commands: ['serve', 'mcp'], repeatable: true },
    description: 'delegated coding tasks may only name repositories under this directory (repeatable)',
    defaultText: 'the working directory',
    default: [] as string[],
    parse: directory,
  }),

  // `baton run`.
  detach: setting({
    flag: { syntax: '--detach', commands: ['run'] },
    description: 'only enqueue the run; print {"sessionId","runId"} and exit',
    default: false,
  }),
  workspace: setting<string>({
    flag: { syntax: '--workspace <dir>', commands: ['run'] },
    description:
      'work on a sandboxed copy of this git workspace with the workspace tools; stores the patch, issues a receipt',
    parse: text,
  }),

  // Governed runs: `baton exec` and `baton run --workspace`.
  allowUntracked: setting({
    flag: {
      syntax: '--allow-untracked <glob>',
      commands: {
        run: 'with --workspace: capture untracked files matching this glob (repeatable)',
        exec: 'capture untracked files matching this glob (repeatable)',
        handoff: 'send untracked files matching this glob (repeatable)',
      },
      repeatable: true,
    },
    description: 'capture untracked files matching this glob (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  sandbox: setting({
    flag: {
      syntax: '--no-sandbox',
      commands: {
        run: 'with --workspace: run commands without bubblewrap isolation (explicit opt-out)',
        exec: 'run without bubblewrap isolation (explicit opt-out, recorded in the contract)',
      },
    },
    description: 'run without bubblewrap isolation (explicit opt-out, recorded in the contract)',
    default: true,
  }),
  allowHost: setting({
    flag: { syntax: '--allow-host <host>', commands: ['exec', 'handoff'], repeatable: true },
    description:
      'let the command reach this host (host, host:port or *.domain) through an allowlisting HTTP(S) proxy (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  timeout: setting<number>({
    flag: { syntax: '--timeout <ms>', commands: ['exec'] },
    description: 'kill the command after this many ms',
    defaultText: '600000',
    parse: integerAtLeast(1),
  }),
  maxOutput: setting<number>({
    flag: { syntax: '--max-output <bytes>', commands: ['exec'] },
    description: 'keep at most this many bytes of stdout and of stderr',
    defaultText: 'the sandbox limit',
    parse: integerAtLeast(0),
  }),
  read: setting({
    flag: { syntax: '--read <path>', commands: SANDBOXED, repeatable: true },
    description: 'let sandboxed commands read this path (read-only; repeatable)',
    default: [] as string[],
    parse: text,
  }),
  hide: setting({
    flag: { syntax: '--hide <path>', commands: SANDBOXED, repeatable: true },
    description: 'hide this path from sandboxed commands, by its real path (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  memory: setting<number>({
    flag: { syntax: '--memory <bytes>', commands: SANDBOXED },
    description: 'address space per process, and per command tree under root',
    defaultText: '2G',
    parse: byteSize,
  }),
  processes: setting<number>({
    flag: { syntax: '--processes <n>', commands: SANDBOXED },
    description: 'processes the command may run',
    defaultText: '4096',
    parse: integerAtLeast(1),
  }),
  tmpSize: setting<number>({
    flag: { syntax: '--tmp-size <bytes>', commands: SANDBOXED },
    description: "size of the sandbox's private /tmp, which holds its HOME",
    defaultText: '512M',
    parse: byteSize,
  }),
  maxPatch: setting<number>({
    flag: { syntax: '--max-patch <bytes>', commands: SANDBOXED },
    description: 'largest result patch; a larger one fails the run',
    defaultText: '50M',
    parse: byteSize,
  }),

  // Reading what the store holds.
  limit: setting({
    flag: {
      syntax: '--limit <n>',
      commands: { 'runs list': 'how many runs', 'tasks list': 'at most this many (max 500)' },
    },
    description: 'how many to list',
    default: 50,
    parse: integerAtLeast(1),
  }),
  reason: setting<string>({
    flag: {
      syntax: '--reason <text>',
      commands: { approve: 'why (recorded with the decision)', deny: 'why: the model sees it (required)' },
    },
    description: 'the reason recorded with an approval decision',
    parse: text,
  }),
  from: setting({
    flag: { syntax: '--from <seq>', commands: ['events'] },
    description: 'first seq to print',
    default: 0,
    parse: integerAtLeast(0),
  }),
  namespace: setting<string>({
    flag: { syntax: '--namespace <name>', commands: ['tasks list'] },
    description: 'only this namespace',
    parse: text,
  }),
  profile: setting<string>({
    flag: { syntax: '--profile <profile>', commands: ['tasks list'] },
    description: 'only this profile (coder, researcher, agent:<name>)',
    parse: text,
  }),
  since: setting<string>({
    flag: { syntax: '--since <iso>', commands: ['tasks list'] },
    description: 'only tasks created at or after this ISO timestamp',
    parse: text,
  }),

  // Proof and pull-back.
  publicKey: setting<string>({
    flag: { syntax: '--public-key <file>', commands: ['verify'] },
    description: 'trusted signer public key (PEM, or 64 hex digits)',
    parse: text,
  }),
  trust: setting<string>({
    flag: { syntax: '--trust <file>', commands: ['verify'] },
    description:
      'a trust file (baton keys export-trust): the contract must be signed by its plane key, the receipt by a runner key of the pool',
    parse: text,
  }),
  branch: setting({
    flag: { syntax: '--branch', commands: ['pull'] },
    description: 'always create branch baton/<runId> instead of applying in place',
    default: false,
  }),
  allowOutsideSymlinks: setting({
    flag: { syntax: '--allow-outside-symlinks', commands: ['pull'] },
    description: 'apply a patch that adds symlinks pointing outside the repository or into .git',
    default: false,
  }),

  // Hand-offs: `baton handoff` and the plane's secrets (`baton serve`).
  dryRun: setting({
    flag: { syntax: '--dry-run', commands: ['handoff'] },
    description: 'print the disclosure report (what would move, what stays, the decision) and upload nothing',
    default: false,
  }),
  wait: setting({
    flag: { syntax: '--wait', commands: ['handoff'] },
    description: 'wait for the run to finish (and pull with --pull)',
    default: false,
  }),
  pull: setting<'auto' | 'branch'>({
    flag: { syntax: '--pull <mode>', commands: ['handoff'] },
    description: 'with --wait: pull the result back, auto (in place when the tree is unchanged) or branch',
    choices: ['auto', 'branch'],
    parse: oneOf(['auto', 'branch'] as const),
  }),
  secret: setting({
    flag: { syntax: '--secret <name>', commands: ['handoff'], repeatable: true },
    description: 'ask the plane to release this secret (by name) into the sandbox (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  budgetUsd: setting<number>({
    flag: { syntax: '--budget-usd <usd>', commands: ['handoff'] },
    description: 'the most the hand-off may spend, in USD',
    parse: nonNegativeNumber,
  }),
  secretsFile: setting<string>({
    flag: { syntax: '--secrets-file <file>', commands: ['serve'] },
    env: 'BATON_SECRETS_FILE',
    description:
      'hand-off secrets the plane may release: JSON { "NAME": "value" } or { "NAME": { "value": "...", "pools": ["gpu"] } }',
    parse: text,
  }),
  secretEnv: setting({
    flag: { syntax: '--secret-env <name>', commands: ['serve'], repeatable: true },
    description:
      "a hand-off secret the plane may release to any pool, read from the plane's environment (repeatable)",
    default: [] as string[],
    parse: text,
  }),
} as const;

/** The name of one of {@link SETTINGS}. */
export type SettingName = keyof typeof SETTINGS;
