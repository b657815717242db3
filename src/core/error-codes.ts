import { CLIENT_ERROR_CODES } from './error-codes/client.js';
import { CONFIG_ERROR_CODES } from './error-codes/config.js';
import { DELEGATION_ERROR_CODES } from './error-codes/delegation.js';
import type { ErrorCodeEntry, ErrorDomain, ErrorStatus } from './error-codes/error-code-entry.js';
import { HANDOFF_ERROR_CODES } from './error-codes/handoff.js';
import { HTTP_ERROR_CODES } from './error-codes/http.js';
import { MODEL_ERROR_CODES } from './error-codes/model.js';
import { PROOF_ERROR_CODES } from './error-codes/proof.js';
import { RUN_ERROR_CODES } from './error-codes/run.js';
import { SANDBOX_ERROR_CODES } from './error-codes/sandbox.js';
import { STORE_ERROR_CODES } from './error-codes/store.js';
import { TOOL_ERROR_CODES } from './error-codes/tool.js';
import { WORKSPACE_ERROR_CODES } from './error-codes/workspace.js';

/**
 * Every error code Baton reports, with its HTTP status and what it means: the one table that
 * types `BatonError.code`, gives `src/server/error-response.ts` its statuses and makes
 * docs/errors.md (`npm run docs:errors`). Each domain's codes live in their own file under
 * src/core/error-codes/. Codes are stable: a code is never renamed or reused.
 */
export const ERROR_CODES = {
  ...HTTP_ERROR_CODES,
  ...RUN_ERROR_CODES,
  ...MODEL_ERROR_CODES,
  ...TOOL_ERROR_CODES,
  ...STORE_ERROR_CODES,
  ...WORKSPACE_ERROR_CODES,
  ...SANDBOX_ERROR_CODES,
  ...DELEGATION_ERROR_CODES,
  ...CONFIG_ERROR_CODES,
  ...PROOF_ERROR_CODES,
  ...HANDOFF_ERROR_CODES,
  ...CLIENT_ERROR_CODES,
} as const satisfies Record<string, ErrorCodeEntry>;

type Table = typeof ERROR_CODES;

/** The codes of one domain. */
type CodesOf<Domain extends ErrorDomain> = {
  [Code in keyof Table]: Table[Code]['domain'] extends Domain
    ? Code extends 'http_<status>'
      ? `http_${number}`
      : Code
    : never;
}[keyof Table];

/** Errors of the HTTP API. */
export type HttpErrorCode = CodesOf<'http'>;
/** How a run ends other than well, and what the runtime refuses to do with one. */
export type RunErrorCode = CodesOf<'run'>;
/** Model calls. */
export type ModelErrorCode = CodesOf<'model'>;
/** Tool calls, as the model sees them. */
export type ToolErrorCode = CodesOf<'tool'>;
/** The stores (SQLite, Postgres, memory). */
export type StoreErrorCode = CodesOf<'store'>;
/** Workspaces: capture, restore, patches, pull-back. */
export type WorkspaceErrorCode = CodesOf<'workspace'>;
/** Sandboxes. */
export type SandboxErrorCode = CodesOf<'sandbox'>;
/** Delegated tasks. */
export type DelegationErrorCode = CodesOf<'delegation'>;
/** The CLI's configuration. */
export type ConfigErrorCode = CodesOf<'config'>;
/** Contracts, receipts and keys. */
export type ProofErrorCode = CodesOf<'proof'>;
/** Hand-offs to runner pools. */
export type HandoffErrorCode = CodesOf<'handoff'>;
/** The HTTP client. */
export type ClientErrorCode = CodesOf<'client'>;

/** Every code of {@link ERROR_CODES}: the type of `BatonError.code`. */
export type ErrorCode = CodesOf<ErrorDomain>;

/**
 * The HTTP status of an error with `code`: the table's, else 500 (a code only ever recorded,
 * or one this Baton does not know, reaching the API is a failure of the server).
 */
export function httpStatusOf(code: string): ErrorStatus {
  const entry: ErrorCodeEntry | undefined = Object.hasOwn(ERROR_CODES, code)
    ? ERROR_CODES[code as keyof Table]
    : undefined;
  return entry?.status ?? 500;
}
