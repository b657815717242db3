// Public API of `baton-runtime/client`: a fetch-based HTTP client. Nothing here may import server
// or Node-only code; every export is public API, pinned by test/public-api.test.ts.
export type { ErrorBody } from '../core/errors.js';
export { BatonError } from '../core/errors.js';
export type { BatonEvent, EventDataByType, ModelDeltaEvent, StreamEvent, Usage } from '../core/events.js';
export type {
  AgentSummary,
  DeliverResult,
  RunView,
  SessionList,
  SessionView,
  StartResult,
} from '../wire/api-types.js';
export type {
  BatonClient,
  CallOptions,
  ClientOptions,
  ClientStreamOptions,
  SendInput,
  StartSessionInput,
} from './client.js';
export { createClient } from './client.js';
export { BatonApiError } from './client-error.js';
export type { NdjsonDecoderOptions } from './ndjson-decoder.js';
export { ndjsonDecoder, StreamFormatError } from './ndjson-decoder.js';
