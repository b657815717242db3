import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { CallerIdentity } from '../core/tool.js';
import { UnauthorizedError } from './http-errors.js';
import type { ServerEnv } from './server-env.js';

/** How the API authenticates callers (`baton serve --auth`, with the secrets of docs/configuration.md). */
export type AuthOptions =
  | { mode: 'none' }
  | { mode: 'bearer'; token: string; adminToken?: string }
  | { mode: 'basic'; username: string; password: string; adminToken?: string };

/** The auth modes `--auth` accepts. */
export const AUTH_MODES = ['none', 'bearer', 'basic'] as const;
/** One of {@link AUTH_MODES}. */
export type AuthMode = (typeof AUTH_MODES)[number];

const ANONYMOUS: CallerIdentity = { kind: 'anonymous', subject: 'anonymous' };
/** The bearer caller's subject: a fixed label, never the token itself. */
const BEARER_SUBJECT = 'api-token';
/** Who sends the admin token (`BATON_ADMIN_TOKEN`): may decide any session's approvals. */
const ADMIN: CallerIdentity = { kind: 'bearer', subject: 'admin', admin: true };

/**
 * Authenticates every request it runs on and stores the caller's identity in `c.var.caller`.
 * Secrets are compared as sha256 digests with `timingSafeEqual`, so neither their content nor
 * their length leaks through timing.
 */
export function authenticate(options: AuthOptions): MiddlewareHandler<ServerEnv> {
  const check = identify(options);
  return async function authenticateRequest(c, next) {
    const caller = check(c.req.header('authorization'));
    if (caller === undefined) throw new UnauthorizedError(challengeFor(options));
    c.set('caller', caller);
    await next();
  };
}

type Identify = (header: string | undefined) => CallerIdentity | undefined;

function identify(options: AuthOptions): Identify {
  if (options.mode === 'none') return () => ANONYMOUS;
  const caller = identifyCaller(options);
  if (options.adminToken === undefined) return caller;
  const admin = bearerCheck(options.adminToken, ADMIN);
  return (header) => admin(header) ?? caller(header);
}

/** Accepts `Authorization: Bearer <token>` as `identity`. */
function bearerCheck(token: string, identity: CallerIdentity): Identify {
  const expected = digest(token);
  return (header) => {
    const sent = credentialsOf(header, 'bearer');
    return sent !== undefined && timingSafeEqual(digest(sent), expected) ? identity : undefined;
  };
}

function identifyCaller(options: Exclude<AuthOptions, { mode: 'none' }>): Identify {
  if (options.mode === 'bearer')
    return bearerCheck(options.token, { kind: 'bearer', subject: BEARER_SUBJECT });
  const expectedUser = digest(options.username);
  const expectedPassword = digest(options.password);
  return (header) => {
    const encoded = credentialsOf(header, 'basic');
    if (encoded === undefined) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    // Both comparisons always run, so a right user name with a wrong password takes as long as a wrong one.
    const userOk = timingSafeEqual(digest(username), expectedUser);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), expectedPassword);
    return userOk && passwordOk ? { kind: 'basic', subject: options.username } : undefined;
  };
}

function credentialsOf(header: string | undefined, scheme: 'bearer' | 'basic'): string | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== scheme) return undefined;
  const credentials = header.slice(space + 1).trim();
  return credentials === '' ? undefined : credentials;
}

function challengeFor(options: AuthOptions): string {
  return options.mode === 'basic' ? 'Basic realm="baton", charset="UTF-8"' : 'Bearer realm="baton"';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
