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

/** What fetch (undici) throws, as TypeErrors, when the connection failed or the body was cut off. */
const CONNECTION_MESSAGES = new Set(['fetch failed', 'terminated']);

/**
 * Whether `error` (or one of its causes) says the connection failed or broke — refused, reset,
 * closed by the other side, a body cut off — rather than that the other side answered.
 */
export function isConnectionFailure(error: unknown): boolean {
  return causes(error).some(
    (cause) =>
      (cause instanceof TypeError && CONNECTION_MESSAGES.has(cause.message)) ||
      (typeof cause === 'object' &&
        cause !== null &&
        CONNECTION_CODES.has(String((cause as { code?: unknown }).code))),
  );
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
