/** HTTP statuses the API answers with when something goes wrong. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 431 | 500;

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

/** One row of {@link ERROR_CODES}. */
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

/**
 * Every error code Baton reports, with its HTTP status and what it means: the one table that
 * types `BatonError.code`, gives `src/server/error-response.ts` its statuses and makes
 * docs/errors.md (`npm run docs:errors`). Codes are stable: a code is never renamed or reused.
 */
export const ERROR_CODES = {
  // The HTTP API: requests refused before or while they are handled.
  invalid_request: {
    domain: 'http',
    status: 400,
    description:
      'malformed JSON or a field, query parameter or header that fails validation; the message names it',
  },
  too_deep: { domain: 'http', status: 400, description: 'a JSON body nested deeper than 64 levels' },
  malformed_request: {
    domain: 'http',
    status: 400,
    description: 'the HTTP parser refused the request (bad request line or Host, a backslash in the path)',
  },
  request_aborted: {
    domain: 'http',
    status: 400,
    description: 'the client closed the connection before its request body was complete',
  },
  request_timeout: {
    domain: 'http',
    status: 408,
    description: 'the request did not arrive within the server timeout',
  },
  headers_too_large: {
    domain: 'http',
    status: 431,
    description: "the request headers exceed Node's limit (16 KiB)",
  },
  unauthorized: {
    domain: 'http',
    status: 401,
    description: 'missing or wrong credentials; the answer carries a WWW-Authenticate challenge',
  },
  signature_invalid: {
    domain: 'http',
    status: 401,
    description:
      "a webhook (POST /hooks/<name>) whose signature or token is missing or does not match the channel's secret",
  },
  host_refused: {
    domain: 'http',
    status: 403,
    description: 'the Host names a host this server does not answer for (add it with --allowed-host)',
  },
  origin_refused: {
    domain: 'http',
    status: 403,
    description: 'a web page of an origin not allowed with --cors-origin',
  },
  not_found: { domain: 'http', status: 404, description: 'no such agent, session, run, task or route' },
  invalid_token: {
    domain: 'http',
    status: 404,
    description: 'the continuation token matches no session (404, so a guessed session is not confirmed)',
  },
  method_not_allowed: {
    domain: 'http',
    status: 405,
    description: 'the path exists for other methods, which the Allow header lists',
  },
  conflict: { domain: 'http', status: 409, description: 'the request conflicts with the current state' },
  idempotency_conflict: {
    domain: 'http',
    status: 409,
    description: "the idempotency key belongs to another caller's session",
  },
  payload_too_large: {
    domain: 'http',
    status: 413,
    description: 'the request body exceeds the limit (--body-limit, default 1 MiB)',
  },
  message_too_large: {
    domain: 'http',
    status: 413,
    description:
      'a message exceeds what the runtime accepts (maxMessageBytes, default 1 MiB); it was not committed',
  },
  context_too_large: {
    domain: 'http',
    status: 413,
    description:
      "a session context (initial, or after a tool's writes) exceeds 64 KiB of JSON; nothing of it was committed",
  },
  unsupported_media_type: {
    domain: 'http',
    status: 415,
    description: 'a non-empty request body that is not application/json',
  },
  internal: {
    domain: 'http',
    status: 500,
    description:
      'a failure of the server itself; what failed goes to the server log only, never to the answer',
  },

  // Runs: how one ends, and what the runtime refuses to do with one.
  max_steps: { domain: 'run', status: null, description: "the run reached its agent's limits.maxSteps" },
  max_tokens: { domain: 'run', status: null, description: "the run reached its agent's limits.maxTokens" },
  max_cost: { domain: 'run', status: null, description: "the run reached its agent's limits.maxCostUsd" },
  timeout: {
    domain: 'run',
    status: null,
    description: "the run's active time over all its attempts reached its agent's limits.timeoutMs",
  },
  max_handoffs: {
    domain: 'run',
    status: null,
    description: "the run tried to hand off more often than its agent's limits.maxHandoffs",
  },
  max_iterations: {
    domain: 'run',
    status: null,
    description:
      "the run waited for its background children more often than its agent's limits.maxIterations (default 64)",
  },
  children_unavailable: {
    domain: 'run',
    status: 400,
    description:
      'an agent used as a tool (or a background-child tool) ran outside a durable runtime, which alone can start and track child runs: use createRuntime',
  },
  guardrail_tripped: {
    domain: 'run',
    status: null,
    description: 'an input or output guardrail blocked the run; guardrail.tripped names it and says why',
  },
  admission_rejected: {
    domain: 'run',
    status: null,
    description: 'an admission invariant rejected the agent graph; the message names the invariant',
  },
  definition_changed: {
    domain: 'run',
    status: null,
    description:
      'a resumed run found its agent changed since it started; its transcript is not replayed into another agent',
  },
  cancelled: { domain: 'run', status: 500, description: 'the run was cancelled' },
  lease_lost: {
    domain: 'run',
    status: 500,
    description: "another worker took the run's lease over; this worker stopped committing",
  },
  run_busy: { domain: 'run', status: 409, description: 'the run is being executed by another worker' },
  stale_approval: {
    domain: 'run',
    status: 409,
    description:
      "the decision names an inputHash other than the approval's: the call it was shown is not this one",
  },
  already_decided: {
    domain: 'run',
    status: 409,
    description: 'the approval already has a decision (or the question an answer); the first one stands',
  },
  human_required: {
    domain: 'run',
    status: 403,
    description:
      "the tool's needsApproval is 'human': only a person may decide (HTTP, CLI, client), not a policy or an MCP tool call",
  },
  forbidden: {
    domain: 'run',
    status: 403,
    description:
      "under bearer or basic auth, only the session's initiator or the admin token (BATON_ADMIN_TOKEN) may decide its approvals or answer its questions",
  },
  answer_rejected: {
    domain: 'run',
    status: 400,
    description: "the answer does not match the question's choices or schema; the question stays open",
  },
  not_cancellable: { domain: 'run', status: 409, description: 'the run has already ended' },
  not_retryable: {
    domain: 'run',
    status: 409,
    description: 'only a failed run may be retried, and only once per failure',
  },
  stream_lagging: {
    domain: 'run',
    status: 500,
    description: 'a stream reader fell too far behind; reconnect with the from it was given',
  },
  unknown_agent: {
    domain: 'run',
    status: 400,
    description: 'no agent of that name is registered or reachable',
  },
  duplicate_agent: { domain: 'run', status: 400, description: 'two agents have the same name' },
  agent_not_found: { domain: 'run', status: 400, description: 'the agent file does not exist' },
  invalid_agent: {
    domain: 'run',
    status: 400,
    description: 'an agent definition or agent module is unusable',
  },
  invalid_tool: { domain: 'run', status: 400, description: 'a tool definition is unusable' },
  invalid_channel: {
    domain: 'run',
    status: 400,
    description:
      'a channel file (channels/<name>.ts) or defineChannel options are unusable, or its secret is not set',
  },
  invalid_schedule: {
    domain: 'run',
    status: 400,
    description: 'a schedule file (agents/<name>/schedules/<id>.ts) or defineSchedule options are unusable',
  },
  invalid_skill: {
    domain: 'run',
    status: 400,
    description:
      'a SKILL.md whose front matter is missing or malformed; the message names the file and field',
  },

  invalid_concurrency: {
    domain: 'run',
    status: 400,
    description: 'a worker concurrency that is not a positive integer',
  },
  pricing_unknown: {
    domain: 'run',
    status: 400,
    description:
      'the agent has a cost limit but its model has no known price (give pricing, or list it in BATON_PRICES)',
  },
  mcp_unavailable: {
    domain: 'run',
    status: 400,
    description: 'the agent has mcpServers but the runtime has no tool connector',
  },
  mcp_server_failed: {
    domain: 'run',
    status: 500,
    description: "one of the agent's MCP servers did not start",
  },

  // Models.
  missing_api_key: {
    domain: 'model',
    status: 400,
    description: "the model's API key is not set (the message names the variable)",
  },
  invalid_model: { domain: 'model', status: 400, description: 'a model name that is not provider:model-id' },
  unknown_provider: {
    domain: 'model',
    status: 400,
    description: 'a model of a provider other than openai, anthropic or openai-compatible',
  },
  model_network_error: {
    domain: 'model',
    status: 500,
    description: 'the model could not be reached, or its stream ended early, after every retry',
  },
  model_timeout: { domain: 'model', status: 500, description: 'a model call timed out after every retry' },
  rate_limited: {
    domain: 'model',
    status: 500,
    description: 'the provider kept answering 429 after every retry',
  },
  model_server_error: {
    domain: 'model',
    status: 500,
    description: 'the provider kept answering 5xx after every retry',
  },
  model_request_rejected: {
    domain: 'model',
    status: 500,
    description: 'the provider refused the request (4xx): a wrong key, model id or parameter',
  },
  model_error: {
    domain: 'model',
    status: 500,
    description: 'the model call failed in a way not otherwise classified',
  },
  model_not_an_api: {
    domain: 'model',
    status: 500,
    description: 'the base URL answered with something other than a model API (an HTML page?)',
  },
  script_exhausted: {
    domain: 'model',
    status: 500,
    description: 'a scripted model was asked for more steps than it has',
  },
  invalid_script: { domain: 'model', status: 500, description: 'a scripted model step is malformed' },

  // Tool calls: what the model sees as a tool's error result.
  unknown_tool: {
    domain: 'tool',
    status: null,
    description: 'the model called a tool the agent does not have',
  },
  invalid_input: {
    domain: 'tool',
    status: null,
    description: "the tool call's input does not match its schema",
  },
  tool_error: {
    domain: 'tool',
    status: null,
    description: 'the tool threw, or returned something that is not JSON',
  },
  invalid_context: {
    domain: 'tool',
    status: 400,
    description:
      "a context value does not match its key's schema (or the key is malformed); the tool's context writes were not committed",
  },
  denied: {
    domain: 'tool',
    status: null,
    description: 'a person or the approval policy denied the tool call; the message is their reason',
  },
  approval_expired: {
    domain: 'tool',
    status: 409,
    description:
      "the tool call's approval passed its expiresAt undecided; the call failed and a late decision is refused",
  },
  unknown_skill: {
    domain: 'tool',
    status: null,
    description: 'activate_skill or read_skill_file named a skill the agent does not have',
  },
  skill_file_not_found: {
    domain: 'tool',
    status: null,
    description: "read_skill_file named a file the skill's folder does not hold",
  },
  interrupted: {
    domain: 'tool',
    status: null,
    description: 'the run ended while this non-idempotent tool ran; it is not run again on resume',
  },
  unknown_target: {
    domain: 'tool',
    status: 404,
    description:
      'send_message: the taskId names no running background child of this session; nothing was written',
  },
  child_failed: {
    domain: 'tool',
    status: null,
    description:
      'the child run of an agent used as a tool failed or was cancelled; subagent.completed has its status',
  },
  blocked: {
    domain: 'tool',
    status: null,
    description: 'a tool guardrail refused the call before it ran; guardrail.tripped names it',
  },
  edit_no_match: {
    domain: 'tool',
    status: 400,
    description: 'edit_file: old_string does not occur in the file',
  },
  edit_ambiguous: {
    domain: 'tool',
    status: 400,
    description: 'edit_file: old_string occurs more than once; give more context',
  },
  mcp_tool_error: {
    domain: 'tool',
    status: 500,
    description: 'an MCP server answered the tool call with an error',
  },
  grep_timeout: {
    domain: 'tool',
    status: 500,
    description: 'a workspace grep did not finish in time; narrow it',
  },
  worker_failed: {
    domain: 'tool',
    status: 500,
    description: 'the worker thread running a tool died without an answer',
  },
  tsx_missing: {
    domain: 'tool',
    status: 500,
    description: 'tsx cannot load the TypeScript worker modules of the workspace tools',
  },

  // Stores.
  append_conflict: {
    domain: 'store',
    status: 409,
    description:
      "a conditional append's condition no longer held (the head moved, the run changed status or exists)",
  },
  idempotency_key_taken: { domain: 'store', status: 409, description: 'the idempotency key is taken' },
  unsupported_store: {
    domain: 'store',
    status: 400,
    description: 'a database URL that is not a SQLite path, postgres:// or :memory:',
  },
  invalid_option: { domain: 'store', status: 400, description: 'a store option with an unusable value' },
  store_open_failed: { domain: 'store', status: 400, description: 'the SQLite store could not be opened' },
  schema_too_new: {
    domain: 'store',
    status: 400,
    description: 'the SQLite database was written by a newer Baton; upgrade Baton',
  },
  store_unavailable: {
    domain: 'store',
    status: 500,
    description: 'the store cannot be opened (the message says why)',
  },
  store_corrupt: {
    domain: 'store',
    status: 500,
    description: 'the database file is damaged; nothing Baton does can repair it: restore a backup',
  },
  db_url_invalid: {
    domain: 'store',
    status: 500,
    description: 'the postgres:// URL or a Postgres option is unusable',
  },
  db_auth_failed: { domain: 'store', status: 500, description: 'Postgres refused the credentials' },
  db_not_found: { domain: 'store', status: 500, description: 'the Postgres database does not exist' },
  db_permission_denied: {
    domain: 'store',
    status: 500,
    description: "the Postgres role lacks a permission Baton's schema needs",
  },
  db_unavailable: {
    domain: 'store',
    status: 500,
    description: 'Postgres is down or the connection was lost; operations fail until it is back',
  },
  db_schema_too_new: {
    domain: 'store',
    status: 500,
    description: 'the Postgres schema was migrated by a newer Baton; upgrade Baton',
  },
  db_error: {
    domain: 'store',
    status: 500,
    description: 'Postgres failed in a way not otherwise classified',
  },

  // Workspaces: capture, restore, patches, pull-back.
  git_missing: { domain: 'workspace', status: 500, description: 'git is not installed or not on PATH' },
  git_failed: {
    domain: 'workspace',
    status: 500,
    description: 'a git command failed (the message carries its stderr)',
  },
  git_output_too_large: {
    domain: 'workspace',
    status: 500,
    description: "a git command's output exceeded its limit",
  },
  not_a_git_repository: {
    domain: 'workspace',
    status: 400,
    description: 'the directory is not inside a git work tree',
  },
  empty_repository: {
    domain: 'workspace',
    status: 400,
    description: 'the repository has no commit to capture',
  },
  detached_head: { domain: 'workspace', status: 400, description: 'HEAD is detached; check out a branch' },
  path_escape: {
    domain: 'workspace',
    status: 400,
    description: "a path leads out of the workspace (or, for read_skill_file, out of the skill's folder)",
  },
  file_too_large: {
    domain: 'workspace',
    status: 413,
    description:
      'write_file or edit_file would leave a file past 10 MiB, or edit_file met one; or read_skill_file met a file past 256 KiB',
  },
  not_a_regular_file: {
    domain: 'workspace',
    status: 400,
    description: 'a path names something other than a regular file',
  },
  unsafe_symlink: {
    domain: 'workspace',
    status: 400,
    description:
      'a patch adds a symlink out of the repository or into .git (pull with --allow-outside-symlinks)',
  },
  directory_not_empty: {
    domain: 'workspace',
    status: 400,
    description: 'a restore target directory, or the directory of baton init without --force, is not empty',
  },
  base_not_found: {
    domain: 'workspace',
    status: 400,
    description: "the run's base commit is not in this repository",
  },
  branch_exists: { domain: 'workspace', status: 409, description: 'branch baton/<runId> already exists' },
  no_patch: {
    domain: 'workspace',
    status: 409,
    description: 'the run has no workspace patch: not a workspace run, or not finished',
  },
  empty_patch: {
    domain: 'workspace',
    status: 400,
    description: 'the run changed nothing: there is nothing to pull',
  },
  patch_untrusted: {
    domain: 'workspace',
    status: 500,
    description: "the run's log, receipt or patch did not verify; nothing was applied",
  },
  patch_does_not_apply: {
    domain: 'workspace',
    status: 500,
    description: "the patch does not apply to the run's starting state",
  },
  patch_too_large: {
    domain: 'workspace',
    status: 500,
    description: "the run's patch exceeds its limit (--max-patch); the message names the largest files",
  },
  blob_missing: { domain: 'workspace', status: 500, description: 'a blob the run needs is not in the store' },
  not_supported: {
    domain: 'workspace',
    status: 500,
    description: 'the request needs what this setup cannot do (allowed hosts without the bwrap sandbox)',
  },

  // Sandboxes.
  sandbox_unavailable: {
    domain: 'sandbox',
    status: 500,
    description:
      'bubblewrap is missing or cannot create a sandbox here (install it, or opt out with --no-sandbox)',
  },
  command_not_found: { domain: 'sandbox', status: 500, description: 'the command to run does not exist' },
  scratch_dir_unsafe: {
    domain: 'sandbox',
    status: 500,
    description: "the private scratch directory is not this user's alone; remove it and run again",
  },
  command_failed: {
    domain: 'sandbox',
    status: null,
    description: 'the command of an exec run exited non-zero',
  },
  command_timed_out: {
    domain: 'sandbox',
    status: null,
    description: 'the command of an exec run was killed at its timeout',
  },
  agent_failed: {
    domain: 'sandbox',
    status: null,
    description: 'a vendor coding agent reported an error or exited without a result',
  },

  // Delegation.
  no_agent: {
    domain: 'delegation',
    status: 400,
    description:
      "the task's profile has neither a loaded agent of that name nor a model for the built-in one (BATON_MODEL)",
  },
  repo_not_found: {
    domain: 'delegation',
    status: 404,
    description: "the task's repoRoot does not exist, is not a directory or is not a git repository",
  },
  repo_not_allowed: {
    domain: 'delegation',
    status: 403,
    description: "the task's repoRoot is not under a --repo-root of the server, by real path",
  },
  patch_rejected: {
    domain: 'delegation',
    status: 500,
    description: "no coding candidate's patch passed validation; the result says why for each",
  },
  invalid_answer: {
    domain: 'delegation',
    status: 500,
    description: 'the researcher did not answer with the JSON the profile asks for',
  },
  task_missing: { domain: 'delegation', status: null, description: 'a task run carries no task' },
  task_finished: { domain: 'delegation', status: null, description: "the task run's task had already ended" },
  result_lost: {
    domain: 'delegation',
    status: null,
    description: 'the task run finished without recording a result',
  },

  // The CLI's configuration (docs/configuration.md).
  invalid_config: { domain: 'config', status: 400, description: 'a BATON_* variable with an unusable value' },
  usage_error: {
    domain: 'config',
    status: 400,
    description:
      'a command line the CLI cannot parse (a missing argument, an unknown flag or an unusable value)',
  },
  invalid_lease_ttl: {
    domain: 'config',
    status: 400,
    description: 'a lease TTL that is not an integer number of ms >= 100',
  },
  invalid_prices: {
    domain: 'config',
    status: 400,
    description: 'the BATON_PRICES file is missing or malformed',
  },
  missing_secret: {
    domain: 'config',
    status: 400,
    description: 'the --auth mode needs a variable that is not set',
  },
  invalid_allowed_host: {
    domain: 'config',
    status: 400,
    description: 'an --allowed-host that is not a host name',
  },
  invalid_cors_origin: {
    domain: 'config',
    status: 400,
    description: 'a --cors-origin that is not an origin',
  },
  invalid_runner_token: {
    domain: 'config',
    status: 400,
    description:
      'a --runner-token that is empty or names an invalid pool (`pool=token`, or one token for pool default)',
  },
  invalid_secrets_file: {
    domain: 'config',
    status: 400,
    description: 'the --secrets-file of baton serve cannot be read or is not JSON of secret names and values',
  },
  listen_failed: {
    domain: 'config',
    status: 400,
    description: 'the server cannot listen on the host and port',
  },

  // Proof.
  not_governed: {
    domain: 'proof',
    status: 400,
    description: 'the run has no contract, so no receipt (only exec and workspace runs have one)',
  },
  insecure_key_permissions: {
    domain: 'proof',
    status: 400,
    description: 'the signing key file can be read by others; fix its permissions',
  },
  run_not_finished: {
    domain: 'proof',
    status: 409,
    description: 'the run has not finished; its receipt is issued once it ends',
  },
  unreadable_receipt: { domain: 'proof', status: 400, description: 'the receipt file cannot be read' },
  stale_lease: {
    domain: 'proof',
    status: 409,
    description:
      "a runner's lease token no longer holds the run (it expired and another runner took it over): nothing was written",
  },
  unknown_pool: {
    domain: 'proof',
    status: 403,
    description:
      'the runner token does not admit this pool, or the plane serves no such pool (`--runner-token`)',
  },
  unregistered_runner_key: {
    domain: 'proof',
    status: 403,
    description:
      'the key is not registered as a runner key of the pool, so the plane accepts no result signed by it',
  },
  runner_event_refused: {
    domain: 'proof',
    status: 403,
    description:
      'a runner tried to record an event only the plane records (session start, contract, capture, receipt, messages)',
  },
  receipt_refused: {
    domain: 'proof',
    status: 400,
    description:
      "a runner's receipt does not verify against the plane's log, contract and blobs; the message says why",
  },
  blob_hash_mismatch: {
    domain: 'proof',
    status: 400,
    description: 'an uploaded blob does not hash (sha256) to the hash it was put under',
  },
  invalid_pool: {
    domain: 'proof',
    status: 400,
    description:
      'a runner pool name that is not 1-64 lowercase letters, digits, `.`, `_` or `-` (starting with a letter or digit)',
  },

  // Hand-offs (baton-runtime/handoff, POST /v1/handoffs, baton handoff).
  policy_denied: {
    domain: 'handoff',
    status: 403,
    description: "the hand-off policy denied continuing on the pool; the message lists the policy's reasons",
  },
  checkpoint_incomplete: {
    domain: 'handoff',
    status: 409,
    description:
      'a hand-off names a checkpoint whose blobs the plane does not hold; upload the checkpoint first',
  },
  secrets_unavailable: {
    domain: 'handoff',
    status: null,
    description:
      'a run names secrets its runner could not get from the plane (released only to allowed pools)',
  },
  agent_unavailable: {
    domain: 'handoff',
    status: 400,
    description:
      "the hand-off names an agent this Baton cannot run (an unknown name), or a vendor agent's CLI (claude, codex, opencode) is not installed on the runner's PATH",
  },

  // The HTTP client.
  invalid_stream: {
    domain: 'client',
    status: null,
    description: 'the server sent a stream the client cannot read',
  },
  'http_<status>': {
    domain: 'client',
    status: null,
    description:
      "the server answered with something other than Baton's error JSON (a proxy?), with this status",
  },
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
