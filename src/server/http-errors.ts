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
