import type { ErrorCodeEntry } from './error-code-entry.js';

/** The HTTP client. */
export const CLIENT_ERROR_CODES = {
  invalid_stream: {
    domain: 'client',
    status: null,
    description: 'the server sent a stream the client cannot read',
  },
  'http_<status>': {
    domain: 'client',
    status: null,
    description:
      "the server answered with something other than Baton's error JSON (a proxy?), with this status",
  },
} as const satisfies Record<string, ErrorCodeEntry>;
