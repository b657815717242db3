import type { ErrorCode } from '../core/error-codes.js';
import type { ErrorBody } from '../core/errors.js';
import { BatonError } from '../core/errors.js';

/**
 * The server answered with an error: `code` and `message` come from its `{ error: { code,
 * message } }` body (`http_<status>` when a proxy answered with something else).
 */
export class BatonApiError extends BatonError {
  readonly status: number;

  constructor(status: number, body: ErrorBody) {
    super(body.code, body.message);
    this.status = status;
  }
}

/** Builds the typed error for a non-2xx response, whatever its body holds. */
export async function apiErrorFrom(response: Response): Promise<BatonApiError> {
  // A body that cannot be read still leaves the status to report.
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') {
      // A code of docs/errors.md, or one a newer server added: passed on as the server said it.
      return new BatonApiError(response.status, { code: code as ErrorCode, message });
    }
  } catch {
    // Not our JSON shape: fall through to a generic error naming the status.
  }
  const message = text.trim().slice(0, 200) || response.statusText || 'request failed';
  return new BatonApiError(response.status, { code: `http_${response.status}`, message });
}
