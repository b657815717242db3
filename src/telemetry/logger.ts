import { ContextSlot } from './context-slot.js';
import { redact, redactText } from './redact.js';

/** The levels a {@link Logger} writes, least severe first (`--log-level`). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How lines are written (`--log-format`): JSON lines, or `pretty` for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Extra fields of a log line; an `Error` value is written as `{ name, code?, message, stack? }`. */
export type LogFields = Record<string, unknown>;

/**
 * The one structured logger of the server and the workers: one JSON object per line,
 * `{ time, level, msg, ...fields }`. Lines below the configured level are dropped. Every line
 * carries the fields of the work it is written in (`requestId`, `sessionId`, `runId`,
 * `workerId`: see {@link withLogFields}); secrets are redacted (`Authorization`, tokens, keys).
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Default `json`. */
  format?: LogFormat;
  /** Where each line goes, newline included (default: stderr). */
  write?: (line: string) => void;
  /** Default `Date.now`. */
  now?: () => number;
}

/** A logger that writes nothing: the library's default until the application configures one. */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

const contextFields = new ContextSlot<LogFields>();

/**
 * Runs `work` with `fields` added to every line logged inside it (and inside what it awaits):
 * the request id of an HTTP request, the session, run and worker of a run attempt.
 */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return contextFields.run({ ...contextFields.get(), ...fields }, work);
}

/** A logger writing JSON lines (or `pretty` lines) to stderr by default, at level `info`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const format = options.format === 'pretty' ? prettyLine : jsonLine;
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const all = serialiseFields({ ...contextFields.get(), ...fields });
      write(format(new Date(now()).toISOString(), level, redactText(message), all));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** `pretty` when the stream is a terminal, else `json`: what `--log-format` defaults to. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

function jsonLine(time: string, level: LogLevel, message: string, fields: LogFields): string {
  return `${JSON.stringify({ time, level, msg: message, ...fields })}\n`;
}

function prettyLine(time: string, level: LogLevel, message: string, fields: LogFields): string {
  const rest = Object.entries(fields).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${message}${rest.length ? ` ${rest.join(' ')}` : ''}\n`;
}

/** Keys every line starts with; a field of the same name is dropped rather than let it pass for them. */
const RESERVED = new Set(['time', 'level', 'msg']);

function serialiseFields(fields: LogFields): LogFields {
  const serialised: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (RESERVED.has(key)) continue;
    serialised[key] = value instanceof Error ? serialiseError(value) : value;
  }
  return redact(serialised) as LogFields;
}

function serialiseError(error: Error): LogFields {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(typeof code === 'string' && { code }),
    message: error.message,
    ...(error.stack !== undefined && { stack: error.stack }),
  };
}
