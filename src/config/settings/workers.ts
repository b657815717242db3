import { DEFAULT_RUNNER_BLOB_QUOTA } from '../../governed/runner-blobs.js';
import { DEFAULT_POLL_INTERVAL_MS } from '../../runtime/worker.js';
import { DEFAULT_BLOB_UPLOAD_QUOTA } from '../../server/blob-upload-quota.js';
import { byteSize, httpUrl, integerAtLeast, text } from '../parsers.js';
import { setting } from '../setting.js';

/** Agents and workers. */
export const WORKERS_SETTINGS = {
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
        handoff:
          'the agent that continues the work on the pool: mock (the default), claude-code, codex, opencode, or any other name: the Baton agent of that name the plane serves (baton serve --agents) or the runner was given',
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
      'hand-off blobs (PUT /v1/blobs) the plane newly stores per hour for each authenticated caller; past that 429 upload_quota_exceeded',
    default: DEFAULT_BLOB_UPLOAD_QUOTA.maxBlobs,
    parse: integerAtLeast(1),
  }),
  blobQuota: setting({
    flag: { syntax: '--blob-quota <bytes>', commands: ['serve'] },
    description:
      'bytes of hand-off blobs (PUT /v1/blobs) the plane newly stores per hour for each authenticated caller; past that 429 upload_quota_exceeded',
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
};
