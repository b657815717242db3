import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../../telemetry/logger.js';
import { oneOf } from '../parsers.js';
import { setting } from '../setting.js';
import { LOGGING_COMMANDS } from './command-groups.js';

/** Output. */
export const OUTPUT_SETTINGS = {
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
};
