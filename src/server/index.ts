// Public API of `baton-runtime/server`: the HTTP API as an app and a Node server for it. Every
// export here is public API, pinned by test/public-api.test.ts.

export type { LogFormat, Logger, LoggerOptions, LogLevel } from '../telemetry/logger.js';
export { createLogger, LOG_FORMATS, LOG_LEVELS } from '../telemetry/logger.js';
export type { AgentSummary, SessionList } from '../wire/api-types.js';
export type { AppOptions } from './app.js';
export { createApp } from './app.js';
export type { AuthMode, AuthOptions } from './auth.js';
export type { NodeBindings, RunningServer, ServeOptions } from './serve.js';
export { serve } from './serve.js';
