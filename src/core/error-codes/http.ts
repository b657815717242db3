import type { ErrorCodeEntry } from './error-code-entry.js';

/** The HTTP API: requests refused before or while they are handled. */
export const HTTP_ERROR_CODES = {
  invalid_request: {
    domain: 'http',
    status: 400,
    description:
      'malformed JSON or a field, query parameter or header that fails validation; the message names it',
  },
  too_deep: { domain: 'http', status: 400, description: 'a JSON body nested deeper than 64 levels' },
  malformed_request: {
    domain: 'http',
    status: 400,
    description: 'the HTTP parser refused the request (bad request line or Host, a backslash in the path)',
  },
  request_aborted: {
    domain: 'http',
    status: 400,
    description: 'the client closed the connection before its request body was complete',
  },
  request_timeout: {
    domain: 'http',
    status: 408,
    description: 'the request did not arrive within the server timeout',
  },
  headers_too_large: {
    domain: 'http',
    status: 431,
    description: "the request headers exceed Node's limit (16 KiB)",
  },
  unauthorized: {
    domain: 'http',
    status: 401,
    description: 'missing or wrong credentials; the answer carries a WWW-Authenticate challenge',
  },
  signature_invalid: {
    domain: 'http',
    status: 401,
    description:
      "a webhook (POST /hooks/<name>) whose signature or token is missing or does not match the channel's secret",
  },
  host_refused: {
    domain: 'http',
    status: 403,
    description: 'the Host names a host this server does not answer for (add it with --allowed-host)',
  },
  origin_refused: {
    domain: 'http',
    status: 403,
    description: 'a web page of an origin not allowed with --cors-origin',
  },
  not_found: { domain: 'http', status: 404, description: 'no such agent, session, run, task or route' },
  invalid_token: {
    domain: 'http',
    status: 404,
    description: 'the continuation token matches no session (404, so a guessed session is not confirmed)',
  },
  method_not_allowed: {
    domain: 'http',
    status: 405,
    description: 'the path exists for other methods, which the Allow header lists',
  },
  conflict: { domain: 'http', status: 409, description: 'the request conflicts with the current state' },
  idempotency_conflict: {
    domain: 'http',
    status: 409,
    description: "the idempotency key belongs to another caller's session",
  },
  payload_too_large: {
    domain: 'http',
    status: 413,
    description: 'the request body exceeds the limit (--body-limit, default 1 MiB)',
  },
  message_too_large: {
    domain: 'http',
    status: 413,
    description:
      'a message exceeds what the runtime accepts (maxMessageBytes, default 1 MiB); it was not committed',
  },
  context_too_large: {
    domain: 'http',
    status: 413,
    description:
      "a session context (initial, or after a tool's writes) exceeds 64 KiB of JSON; nothing of it was committed",
  },
  upload_quota_exceeded: {
    domain: 'http',
    status: 429,
    description:
      'the plane stored as many uploaded blobs (or bytes) this hour as it takes (--blob-count, --blob-quota); retry after Retry-After seconds',
  },
  unsupported_media_type: {
    domain: 'http',
    status: 415,
    description: 'a non-empty request body that is not application/json',
  },
  internal: {
    domain: 'http',
    status: 500,
    description:
      'a failure of the server itself; what failed goes to the server log only, never to the answer',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
