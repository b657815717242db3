/** Error codes (Node's and undici's) of a connection that failed or broke: nothing to do with the request. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** What fetch (undici) throws, as TypeErrors, whatever went wrong below it (a cause says what). */
const FETCH_FAILURES = new Set(['fetch failed', 'terminated']);

/**
 * Whether `error` or one of its causes carries the code of a connection that failed or broke —
 * refused, reset, closed by the other side, a body cut off — rather than of an answer, a
 * timeout or a certificate.
 */
export function isConnectionFailure(error: unknown): boolean {
  return causes(error).some(
    (cause) =>
      typeof cause === 'object' &&
      cause !== null &&
      CONNECTION_CODES.has(String((cause as { code?: unknown }).code)),
  );
}

/** Whether `error` or one of its causes is fetch's own "fetch failed" or "terminated". */
export function isFetchFailure(error: unknown): boolean {
  return causes(error).some((cause) => cause instanceof TypeError && FETCH_FAILURES.has(cause.message));
}

/** Bad gateway, service unavailable, gateway timeout: the server is not there to do it now. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * Whether an HTTP status says the server could not take the request now — a load balancer
 * whose server is restarting, or the server's own database unavailable — so that repeating it
 * is the client's move, and the server keeps no answer for it.
 */
export function isUnavailableStatus(status: number): boolean {
  return UNAVAILABLE_STATUSES.has(status);
}

/** The error and its chain of causes. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 10; ) {
    chain.push(current);
    current =
      typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
  }
  return chain;
}
