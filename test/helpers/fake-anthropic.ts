import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../src/testing/listen-on-loopback.js';

/** One request the fake server received (the key header reduced to whether it matched). */
export interface FakeAnthropicRequest {
  method: string;
  path: string;
  /** True when `x-api-key` (or `Authorization: Bearer`) carried the expected key. */
  keyMatched: boolean;
  /** For `POST /v1/messages`: streamed, the model asked for, and which scripted turn answered. */
  stream?: boolean;
  model?: string;
  turn?: 'tool' | 'text' | 'other';
}

/** A local stand-in for the Anthropic Messages API on 127.0.0.1. */
export interface FakeAnthropic {
  port: number;
  url: string;
  requests: FakeAnthropicRequest[];
  close(): Promise<void>;
}

/** What the scripted model does: write `fileName` with `fileText`, then say `finalText`. */
export interface FakeAnthropicScript {
  apiKey: string;
  fileName: string;
  fileText: string;
  finalText: string;
}

/** Tokens each scripted turn reports, so a test can check the usage Claude Code adds up. */
export const FAKE_USAGE = { input_tokens: 100, output_tokens: 20 } as const;

/**
 * A fake Anthropic Messages API: `POST /v1/messages` answers the first turn of a conversation
 * with a `Write` tool call (the file named in the script) and the turn after its `tool_result` with text, streamed as SSE
 * (`message_start`, `content_block_*`, `message_delta` with usage, `message_stop`) when the
 * request asks for `stream: true`. Claude Code's side calls (title or quota probes, token
 * counting, anything else) get harmless answers and are recorded like the rest.
 */
export async function startFakeAnthropic(script: FakeAnthropicScript): Promise<FakeAnthropic> {
  const requests: FakeAnthropicRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(script, requests, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(
  script: FakeAnthropicScript,
  requests: FakeAnthropicRequest[],
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
  const record: FakeAnthropicRequest = {
    method: req.method ?? '',
    path,
    keyMatched: key === script.apiKey,
  };
  requests.push(record);
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
    json(res, { input_tokens: 10 });
    return;
  }
  if (req.method !== 'POST' || path !== '/v1/messages') {
    json(res, {});
    return;
  }
  const body = parseBody(text);
  record.stream = body.stream === true;
  record.model = typeof body.model === 'string' ? body.model : '';
  if (!record.keyMatched) {
    json(res, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, 401);
    return;
  }
  const blocks = turnOf(script, body, record);
  const message = {
    id: `msg_fake_${requests.length}`,
    type: 'message',
    role: 'assistant',
    model: record.model,
    content: blocks,
    stop_reason: blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: FAKE_USAGE,
  };
  if (record.stream) streamMessage(res, message);
  else json(res, message);
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** The scripted turn: a tool call first, text once a tool result came back, plain text for side calls. */
function turnOf(
  script: FakeAnthropicScript,
  body: Record<string, unknown>,
  record: FakeAnthropicRequest,
): Block[] {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const sawToolResult = JSON.stringify(messages).includes('"tool_result"');
  if (!hasTools) {
    record.turn = 'other';
    return [{ type: 'text', text: 'Fake title' }];
  }
  if (sawToolResult) {
    record.turn = 'text';
    return [{ type: 'text', text: script.finalText }];
  }
  record.turn = 'tool';
  return [
    { type: 'text', text: `Writing ${script.fileName}.` },
    {
      type: 'tool_use',
      id: 'toolu_fake_write',
      name: 'Write',
      // Relative to the working directory: Claude Code 2.1 resolves it against its cwd.
      input: { file_path: script.fileName, content: script.fileText },
    },
  ];
}

function streamMessage(
  res: ServerResponse,
  message: { content: Block[]; stop_reason: string } & object,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('message_start', {
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage: { ...FAKE_USAGE, output_tokens: 1 } },
  });
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: block.text },
      });
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { ...block, input: {} },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: FAKE_USAGE.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    // Not JSON (a probe with no body): answered like any request without a conversation.
    return {};
  }
}
