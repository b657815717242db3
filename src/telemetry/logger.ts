/** The levels a {@link Logger} writes, least severe first (`--log-level`). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra fields of a log line; an `Error` value is written as `{ name, code?, message, stack? }`. */
export type LogFields = Record<string, unknown>;

/**
 * The one structured logger of the server and the workers: one JSON object per line,
 * `{ time, level, msg, ...fields }`. Lines below the configured level are dropped.
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

/** A JSON-lines logger (by default to stderr, at level `info`). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const line = { time: new Date(now()).toISOString(), level, msg: message, ...serialiseFields(fields) };
      write(`${JSON.stringify(line)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Keys every line starts with; a field of the same name is dropped rather than let it pass for them. */
const RESERVED = new Set(['time', 'level', 'msg']);

function serialiseFields(fields: LogFields): LogFields {
  const serialised: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (RESERVED.has(key)) continue;
    serialised[key] = value instanceof Error ? serialiseError(value) : value;
  }
  return serialised;
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
