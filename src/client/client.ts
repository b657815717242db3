import type { StreamEvent } from '../core/events.js';
import type {
  AgentSummary,
  AnswerResult,
  ApprovalList,
  DecisionRequest,
  DecisionResult,
  DeliverResult,
  HealthResponse,
  RunView,
  SessionList,
  SessionView,
  StartResult,
} from '../wire/api-types.js';
import { apiErrorFrom } from './client-error.js';
import { reconnectingStream } from './reconnecting-stream.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The server's root, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request (e.g. a basic `Authorization`). */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/** What `startSession` sends. */
export interface StartSessionInput {
  agent: string;
  message: string;
  context?: Record<string, unknown>;
  idempotencyKey?: string;
}

/** What `send` sends: a follow-up addressed by the session's continuation token. */
export interface SendInput {
  continuationToken: string;
  message: string;
  /** `user` (default) or `background`: read at the end of the run's turn. */
  priority?: 'user' | 'background';
}

/** Options of {@link BatonClient.stream}. */
export interface ClientStreamOptions {
  /** First `seq` to read (default 0). */
  from?: number;
  /** Keep reading after the session goes idle (the server holds the stream open). */
  follow?: boolean;
  /** Ends the iteration quietly when aborted. */
  signal?: AbortSignal;
  /** Consecutive reconnect attempts before a dropped connection is thrown (default 5). */
  maxReconnects?: number;
  /** Longest accepted stream line in characters (default 16 MiB). */
  maxLineLength?: number;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A typed client of the Baton HTTP API; errors are `BatonApiError`s carrying the server's code. */
export interface BatonClient {
  health(options?: CallOptions): Promise<HealthResponse>;
  listAgents(options?: CallOptions): Promise<AgentSummary[]>;
  startSession(input: StartSessionInput, options?: CallOptions): Promise<StartResult>;
  send(input: SendInput, options?: CallOptions): Promise<DeliverResult>;
  getSession(sessionId: string, options?: CallOptions): Promise<SessionView>;
  /** One page of sessions, newest first; pass `nextCursor` back as `cursor` for the next. */
  listSessions(query?: { limit?: number; cursor?: string }, options?: CallOptions): Promise<SessionList>;
  getRun(runId: string, options?: CallOptions): Promise<RunView>;
  cancelRun(runId: string, options?: CallOptions): Promise<RunView>;
  /** The session's events from `from`, reconnecting from the last `seq` + 1 when the connection drops. */
  stream(sessionId: string, options?: ClientStreamOptions): AsyncIterable<StreamEvent>;
  /** One page of open approvals (all sessions, or one), newest run first. */
  listApprovals(
    query?: { sessionId?: string; limit?: number; cursor?: string },
    options?: CallOptions,
  ): Promise<ApprovalList>;
  /** Approves or denies; `inputHash` binds the decision to the input shown (`409 stale_approval` otherwise). */
  decide(approvalId: string, decision: DecisionRequest, options?: CallOptions): Promise<DecisionResult>;
  /** Answers a question; an answer that does not fit its choices or schema is `answer_rejected`. */
  answer(requestId: string, answer: unknown, options?: CallOptions): Promise<AnswerResult>;
}

/** Creates a client over `fetch`; it imports nothing server- or Node-specific, so it runs in browsers too. */
export function createClient(options: ClientOptions): BatonClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

  const request = (
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    accept?: string,
  ) =>
    fetchImpl(`${base}${path}`, {
      method,
      headers: {
        ...headers,
        accept: accept ?? 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal !== undefined && { signal }),
    });

  async function call<T>(
    method: string,
    path: string,
    body: unknown,
    callOptions: CallOptions | undefined,
  ): Promise<T> {
    const response = await request(method, path, body, callOptions?.signal);
    if (!response.ok) throw await apiErrorFrom(response);
    return (await response.json()) as T;
  }

  const id = encodeURIComponent;
  return {
    health: (callOptions) => call('GET', '/v1/health', undefined, callOptions),
    listAgents: (callOptions) => call('GET', '/v1/agents', undefined, callOptions),
    startSession: (input, callOptions) => call('POST', '/v1/sessions', input, callOptions),
    send: (input, callOptions) => call('POST', '/v1/messages', input, callOptions),
    getSession: (sessionId, callOptions) =>
      call('GET', `/v1/sessions/${id(sessionId)}`, undefined, callOptions),
    listSessions: (query = {}, callOptions) =>
      call('GET', `/v1/sessions${searchOf(query)}`, undefined, callOptions),
    listApprovals: (query = {}, callOptions) =>
      call('GET', `/v1/approvals${searchOf({ status: 'pending', ...query })}`, undefined, callOptions),
    decide: (approvalId, decision, callOptions) =>
      call('POST', `/v1/approvals/${id(approvalId)}`, decision, callOptions),
    answer: (requestId, answer, callOptions) =>
      call('POST', `/v1/inputs/${id(requestId)}`, { answer }, callOptions),
    getRun: (runId, callOptions) => call('GET', `/v1/runs/${id(runId)}`, undefined, callOptions),
    cancelRun: (runId, callOptions) => call('POST', `/v1/runs/${id(runId)}/cancel`, undefined, callOptions),
    stream: (sessionId, streamOptions = {}) =>
      reconnectingStream(
        (from, signal) => {
          const follow = streamOptions.follow ? '&follow=1' : '';
          return request(
            'GET',
            `/v1/sessions/${id(sessionId)}/stream?from=${from}${follow}`,
            undefined,
            signal,
            'application/x-ndjson',
          );
        },
        {
          from: streamOptions.from ?? 0,
          signal: streamOptions.signal,
          maxReconnects: streamOptions.maxReconnects ?? 5,
          maxLineLength: streamOptions.maxLineLength,
        },
      ),
  };
}

/** `?key=value&...` of the defined entries, or nothing. */
function searchOf(query: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  return search.size > 0 ? `?${search}` : '';
}
