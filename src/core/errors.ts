import type { ErrorCode } from './error-codes.js';

/**
 * Brands every BatonError, so that errors stay recognisable across two copies of Baton's
 * modules in one process (the built CLI running an agent file that imports the sources).
 */
const ERROR_BRAND = Symbol.for('baton.error');

/**
 * One error base with a typed `code` (one of src/core/error-codes.ts, listed in
 * docs/errors.md), and subclasses grouped by who must act. Errors that cross a wire (HTTP,
 * MCP, CLI) are mapped to `{ code, message }` by `toErrorBody`.
 */
export class BatonError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/** True for a BatonError from any copy of Baton's modules. */
export function isBatonError(error: unknown): error is BatonError {
  return error instanceof BatonError || (error instanceof Error && ERROR_BRAND in error);
}

/** The caller configured or called something wrongly (bad agent file, bad flag, missing key). */
export class UserError extends BatonError {}

/**
 * A request named something that does not exist (session, run, task, agent). `code` and
 * `reason` refine it, e.g. `repo_not_found` for a path that "is not a git repository".
 */
export class NotFoundError extends BatonError {
  constructor(kind: string, id: string, detail: { code?: ErrorCode; reason?: string } = {}) {
    super(detail.code ?? 'not_found', `${kind} ${JSON.stringify(id)} ${detail.reason ?? 'was not found'}`);
  }
}

/** The caller may not name or do this (e.g. a repository outside the allowed roots); HTTP 403. */
export class ForbiddenError extends BatonError {}

/** The request conflicts with the current state (retrying a succeeded run, a second active run...). */
export class ConflictError extends BatonError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super(code, message);
  }
}

/** Input failed validation; `field` names the offending field when known. */
export class ValidationError extends BatonError {
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super('invalid_request', message);
    this.field = field;
  }
}

/** A continuation token did not match any session. */
export class InvalidTokenError extends BatonError {
  constructor() {
    super('invalid_token', 'the continuation token does not match any session');
  }
}

/** The model answered in a way the loop cannot use (past the script, malformed output...). */
export class ModelBehaviorError extends BatonError {}

/** A model provider call failed after the retry policy gave up. */
export class ModelCallError extends BatonError {
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(code, message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** A limit was reached: a patch over its size limit, a search over its time limit. */
export class LimitExceededError extends BatonError {}

/** The worker's lease on a run was taken over; the worker must stop committing at once. */
export class LeaseLostError extends BatonError {
  constructor(runId: string) {
    super('lease_lost', `the lease on run ${runId} was lost to another worker`);
  }
}

/** The run was cancelled through its signal or `cancel(runId)`. */
export class CancelledError extends BatonError {
  constructor(message = 'the run was cancelled') {
    super('cancelled', message);
  }
}

/** A required system facility (bwrap, git) is missing or unusable. */
export class EnvironmentError extends BatonError {}

/** A message is larger than the runtime accepts (HTTP 413); it was not committed. */
export class MessageTooLargeError extends BatonError {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super('message_too_large', `the message exceeds the limit of ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/** The wire shape of an error: what HTTP bodies, MCP tool errors and `run.failed` events carry. */
export interface ErrorBody {
  /** One of docs/errors.md (a newer Baton may send one this one does not list). */
  code: ErrorCode;
  message: string;
}

/** Maps any thrown value to `{ code, message }` without leaking stack traces. */
export function toErrorBody(error: unknown): ErrorBody {
  if (isBatonError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

/** The message of any thrown value (an `Error`'s message, else its string form). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
