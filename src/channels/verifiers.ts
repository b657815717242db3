import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Environment } from '../core/environment.js';
import type { Verifier, VerifyContext } from './channel.js';

/** How far a Slack request's timestamp may be from now: Slack's own recommendation, 5 minutes. */
const SLACK_WINDOW_MS = 5 * 60 * 1000;

/** Equal strings, compared as sha256 digests in constant time: neither content nor length leaks. */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function hmacHex(secret: string, ...parts: (string | Uint8Array)[]): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** The secret a verifier was told to read; unset or empty fails the delivery (never a 5xx). */
function secret(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function withEnv(
  requiredEnv: string,
  verify: (request: Request, context: VerifyContext, secret: string) => boolean,
): Verifier {
  const verifier = (request: Request, context: VerifyContext): boolean => {
    const value = secret(context.env, requiredEnv);
    return value !== undefined && verify(request, context, value);
  };
  return Object.assign(verifier, { requiredEnv: [requiredEnv] });
}

/** The built-in verifiers of `defineChannel({ verify })`. */
export const verifiers = {
  /**
   * `header` (e.g. GitHub's `X-Hub-Signature-256`) must be `sha256=` and the lowercase hex
   * HMAC-SHA256 of the raw body under the secret in `secretEnv`.
   */
  hmacSha256(options: { header: string; secretEnv: string }): Verifier {
    return withEnv(options.secretEnv, (request, { rawBody }, key) => {
      const signature = request.headers.get(options.header);
      return signature !== null && sameText(signature, `sha256=${hmacHex(key, rawBody)}`);
    });
  },

  /**
   * Slack's v0 signature: `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256 of
   * `v0:<X-Slack-Request-Timestamp>:<raw body>` under the signing secret, and the timestamp is
   * within 5 minutes of now (so a captured request cannot be replayed later).
   */
  slack(options: { signingSecretEnv: string }): Verifier {
    return withEnv(options.signingSecretEnv, (request, { rawBody, now }, key) => {
      const timestamp = request.headers.get('x-slack-request-timestamp') ?? '';
      const signature = request.headers.get('x-slack-signature');
      if (!/^\d{1,12}$/.test(timestamp) || signature === null) return false;
      if (Math.abs(now - Number(timestamp) * 1000) > SLACK_WINDOW_MS) return false;
      return sameText(signature, `v0=${hmacHex(key, `v0:${timestamp}:`, rawBody)}`);
    });
  },

  /** `Authorization: Bearer <token>`, the token being the value of `tokenEnv`. */
  bearer(options: { tokenEnv: string }): Verifier {
    return withEnv(options.tokenEnv, (request, _context, token) => {
      const header = request.headers.get('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      return match?.[1] !== undefined && sameText(match[1], token);
    });
  },
};
