// What one row of the error table says; the table itself is src/core/error-codes.ts.
/** HTTP statuses the API answers with when something goes wrong. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 429 | 431 | 500;

/** Who an error code belongs to; each domain's codes form a union type (`RunErrorCode`...). */
export type ErrorDomain =
  | 'http'
  | 'run'
  | 'model'
  | 'tool'
  | 'store'
  | 'workspace'
  | 'sandbox'
  | 'delegation'
  | 'config'
  | 'proof'
  | 'handoff'
  | 'client';

/** One row of the error table (`ERROR_CODES` in src/core/error-codes.ts). */
export interface ErrorCodeEntry {
  readonly domain: ErrorDomain;
  /**
   * The status an HTTP answer carrying the error has. `null` for a code that is only ever
   * recorded (a run's or a tool call's outcome) and never thrown as an error.
   */
  readonly status: ErrorStatus | null;
  /** One line: what happened, and what to do about it. */
  readonly description: string;
}
