import { errorMessage } from '../core/errors.js';

/** POSTs JSON with a bearer token; a non-2xx answer is an error naming the status (never the token). */
export async function postJson(
  url: string,
  token: string | undefined,
  body: unknown,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<unknown> {
  if (!token) throw new Error(`no API token to call ${url} with`);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${url} answered something other than JSON: ${errorMessage(error)}`);
  }
}

/** The body of a delivery as JSON, or of a form with a `payload` field holding JSON. */
export async function readJsonPayload(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  const type = request.headers.get('content-type') ?? '';
  const json = type.includes('application/x-www-form-urlencoded')
    ? (new URLSearchParams(text).get('payload') ?? '')
    : text;
  const value = JSON.parse(json) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the delivery is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** `base` without its trailing slashes, so paths join with one. */
export function apiBase(base: string): string {
  return base.replace(/\/+$/, '');
}
