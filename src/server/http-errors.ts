import { BatonError } from '../core/errors.js';

/** Credentials were missing or wrong (HTTP 401). The message never echoes what was sent. */
export class UnauthorizedError extends BatonError {
  /** The `WWW-Authenticate` challenge for the configured scheme. */
  readonly challenge: string;

  constructor(challenge: string, message = 'missing or invalid credentials') {
    super('unauthorized', message);
    this.challenge = challenge;
  }
}

/** The request body exceeded the server's configured limit (HTTP 413). */
export class PayloadTooLargeError extends BatonError {
  constructor(limitBytes: number) {
    super('payload_too_large', `the request body exceeds the limit of ${limitBytes} bytes`);
  }
}

/** No route matches the request path (HTTP 404). */
export class RouteNotFoundError extends BatonError {
  constructor(method: string, path: string) {
    super('not_found', `no route for ${method} ${path}`);
  }
}

/** The path exists but not for this method (HTTP 405). */
export class MethodNotAllowedError extends BatonError {
  readonly allowed: readonly string[];

  constructor(method: string, path: string, allowed: readonly string[]) {
    super('method_not_allowed', `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`);
    this.allowed = allowed;
  }
}

/** The `Host` header names no host this server answers for (HTTP 403): a DNS-rebinding guard. */
export class HostRefusedError extends BatonError {
  constructor(host: string) {
    super(
      'host_refused',
      `this server does not answer for host ${JSON.stringify(host.slice(0, 256))}; add it with --allowed-host`,
    );
  }
}

/** The request came from a web page of another origin that is not allowed (HTTP 403). */
export class OriginRefusedError extends BatonError {
  constructor(origin: string) {
    super(
      'origin_refused',
      `requests from origin ${JSON.stringify(origin.slice(0, 256))} are refused; allow it with --cors-origin`,
    );
  }
}

/** A request body that is not `application/json` (HTTP 415). */
export class UnsupportedMediaTypeError extends BatonError {
  constructor(type: string | undefined, expected = 'application/json') {
    super(
      'unsupported_media_type',
      `request bodies must be ${expected}, not ${type === undefined ? 'untyped' : JSON.stringify(type.slice(0, 100))}`,
    );
  }
}

/** A JSON body nested deeper than the server accepts (HTTP 400). */
export class TooDeepError extends BatonError {
  constructor(maxDepth: number) {
    super('too_deep', `the JSON body is nested deeper than ${maxDepth} levels`);
  }
}

/** The client went away while its request body was still arriving; nobody is left to answer. */
export class RequestAbortedError extends BatonError {
  constructor(cause: unknown) {
    super('request_aborted', 'the client closed the connection before its request body was complete', {
      cause,
    });
  }
}

const CODE_OF_STATUS = {
  400: 'malformed_request',
  408: 'request_timeout',
  431: 'headers_too_large',
} as const;

/** The HTTP parser refused the request before it reached a route (bad request line, headers too large). */
export class MalformedRequestError extends BatonError {
  readonly status: 400 | 408 | 431;

  constructor(status: 400 | 408 | 431, message: string) {
    super(CODE_OF_STATUS[status], message);
    this.status = status;
  }
}
