import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatonServer } from '../src/server/start-server.js';
import { startBatonServer } from '../src/server/start-server.js';
import { openStore } from '../src/store/open-store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { REPO_ROOT } from './helpers/cli.js';
import { sendRequest } from './helpers/raw-http.js';

const SRC = join(REPO_ROOT, 'src', 'index.js');
/** The global the racer agent's model awaits, with the text it answers, before it answers. */
const RACE_GATE = '__batonChannelRaceGate';
const ENV = {
  HOOK_SECRET: 'hook-secret',
  HOOK_TOKEN: 'hook-token',
  SLACK_SIGNING_SECRET: 'slack-secret',
  SLACK_BOT_TOKEN: 'xoxb-test',
  GITHUB_WEBHOOK_SECRET: 'gh-secret',
  GITHUB_TOKEN: 'ghp-test',
};

/** A request the fake Slack/GitHub API received. */
interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A local API speaking Slack's and GitHub's reply endpoints, recording every request. */
async function startFakeApi(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    received.push({
      method: request.method ?? '',
      path: request.url ?? '',
      authorization: request.headers.authorization,
      body: JSON.parse(text) as Record<string, unknown>,
    });
    response.writeHead(request.url?.includes('chat.postMessage') ? 200 : 201, {
      'content-type': 'application/json',
    });
    response.end(JSON.stringify({ ok: true, id: received.length }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

function writeProject(dir: string, apiUrl: string): void {
  mkdirSync(join(dir, 'agents'));
  mkdirSync(join(dir, 'channels'));
  writeFileSync(
    join(dir, 'agents', 'echo.ts'),
    `import { defineAgent, scriptedModel } from '${SRC}';
export default defineAgent({
  name: 'echo',
  instructions: 'Echo.',
  model: scriptedModel((request) => ({ text: 'echo: ' + request.lastUserText })),
});
`,
  );
  writeFileSync(
    join(dir, 'channels', 'hook.ts'),
    `import { defineChannel, verifiers } from '${SRC}';
export default defineChannel({
  verify: verifiers.hmacSha256({ header: 'x-signature', secretEnv: 'HOOK_SECRET' }),
  async toMessage(request) {
    const body = await request.json();
    if (body.ignore) return null;
    return { agent: 'echo', message: body.text, ...(body.thread && { sessionKey: body.thread }) };
  },
});
`,
  );
  writeFileSync(
    join(dir, 'channels', 'token.ts'),
    `import { defineChannel, verifiers } from '${SRC}';
export default defineChannel({
  verify: verifiers.bearer({ tokenEnv: 'HOOK_TOKEN' }),
  toMessage: async (request) => ({ agent: 'echo', message: new URLSearchParams(await request.text()).get('text') }),
});
`,
  );
  writeFileSync(
    join(dir, 'channels', 'slack.ts'),
    `import { slackChannel } from '${SRC}';
export default slackChannel({ agent: 'echo', apiBaseUrl: '${apiUrl}/api/' });
`,
  );
  // One step, and a model that waits on the test's gate (same process) before it answers.
  writeFileSync(
    join(dir, 'agents', 'racer.ts'),
    `import { defineAgent, scriptedModel } from '${SRC}';
export default defineAgent({
  name: 'racer',
  instructions: 'Echo.',
  limits: { maxSteps: 1 },
  model: scriptedModel(async (request) => {
    await globalThis.${RACE_GATE}?.(request.lastUserText);
    return { text: 'echo: ' + request.lastUserText };
  }),
});
`,
  );
  writeFileSync(
    join(dir, 'channels', 'slackrace.ts'),
    `import { slackChannel } from '${SRC}';
export default slackChannel({ agent: 'racer', apiBaseUrl: '${apiUrl}/api/' });
`,
  );
  writeFileSync(
    join(dir, 'channels', 'github.ts'),
    `import { githubChannel } from '${SRC}';
export default githubChannel({ agent: 'echo', apiBaseUrl: '${apiUrl}' });
`,
  );
}

function hex(secret: string, ...parts: string[]): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

function slackHeaders(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hex(ENV.SLACK_SIGNING_SECRET, `v0:${timestamp}:`, body)}`,
  };
}

function slackMessage(eventId: string, text: string, ts: string, threadTs?: string): string {
  return JSON.stringify({
    type: 'event_callback',
    event_id: eventId,
    event: {
      type: 'message',
      channel: 'C42',
      user: 'U1',
      text,
      ts,
      ...(threadTs && { thread_ts: threadTs }),
    },
  });
}

describe('webhook channels', () => {
  let dir: string;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  let server: BatonServer;

  const start = () =>
    startBatonServer({
      agentsDir: join(dir, 'agents'),
      channelsDir: join(dir, 'channels'),
      port: 0,
      env: ENV,
      // The hooks answer for themselves: the API's auth does not apply to them.
      auth: { mode: 'bearer', token: 'api-token' },
      openStore: () => openStore(join(dir, 'baton.db')),
    });

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers });

  const sessionCount = async () => {
    const response = await fetch(`${server.url}/v1/sessions`, {
      headers: { authorization: 'Bearer api-token' },
    });
    return ((await response.json()) as { sessions: unknown[] }).sessions.length;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-channels-'));
    api = await startFakeApi();
    writeProject(dir, api.url);
    server = await start();
  });

  afterEach(() => {
    api.received.length = 0;
  });

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => api.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('mounts one channel per file, named by the file', () => {
    expect([...server.channels].sort()).toEqual(['github', 'hook', 'slack', 'slackrace', 'token']);
  });

  it('refuses a missing or wrong HMAC signature with 401 and runs nothing', async () => {
    const body = JSON.stringify({ text: 'hi' });
    for (const headers of [
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json', 'x-signature': `sha256=${hex('wrong', body)}` },
      { 'content-type': 'application/json', 'x-signature': hex(ENV.HOOK_SECRET, body) },
      {
        'content-type': 'application/json',
        'x-signature': `sha256=${hex(ENV.HOOK_SECRET, body).toUpperCase()}`,
      },
    ]) {
      const response = await post('/hooks/hook', body, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'signature_invalid', message: expect.any(String) },
      });
    }
    expect(await sessionCount()).toBe(0);
  });

  it('accepts a signed delivery with 202, without API credentials, and ignores its replay', async () => {
    const body = JSON.stringify({ text: 'once' });
    const headers = {
      'content-type': 'application/json',
      'x-signature': `sha256=${hex(ENV.HOOK_SECRET, body)}`,
      'x-delivery-id': 'delivery-1',
      // A foreign Origin is no concern of a webhook.
      origin: 'https://elsewhere.example',
    };
    const first = await post('/hooks/hook', body, headers);
    expect(first.status).toBe(202);
    const accepted = (await first.json()) as { sessionId: string; runId: string };
    expect(accepted).toMatchObject({ accepted: true, sessionId: expect.any(String) });
    const replay = await post('/hooks/hook', body, headers);
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ accepted: true, duplicate: true });
    const ignored = JSON.stringify({ ignore: true });
    const skip = await post('/hooks/hook', ignored, {
      'content-type': 'application/json',
      'x-signature': `sha256=${hex(ENV.HOOK_SECRET, ignored)}`,
    });
    expect(await skip.json()).toEqual({ accepted: true, ignored: true });
    expect(await sessionCount()).toBe(1);
  });

  it('remembers delivery ids across a restart', async () => {
    const body = JSON.stringify({ text: 'durable' });
    const headers = {
      'content-type': 'application/json',
      'x-signature': `sha256=${hex(ENV.HOOK_SECRET, body)}`,
      'x-delivery-id': 'delivery-restart',
    };
    expect(
      ((await (await post('/hooks/hook', body, headers)).json()) as { duplicate?: true }).duplicate,
    ).toBe(undefined);
    await server.stop();
    server = await start();
    expect(await (await post('/hooks/hook', body, headers)).json()).toEqual({
      accepted: true,
      duplicate: true,
    });
  });

  it('keeps the sessionKey of one conversation in one session', async () => {
    const send = async (text: string) => {
      const body = JSON.stringify({ text, thread: 'conversation-7' });
      const response = await post('/hooks/hook', body, {
        'content-type': 'application/json',
        'x-signature': `sha256=${hex(ENV.HOOK_SECRET, body)}`,
      });
      return (await response.json()) as { sessionId: string };
    };
    const sessions = new Set([
      (await send('a')).sessionId,
      (await send('b')).sessionId,
      (await send('c')).sessionId,
    ]);
    expect(sessions.size).toBe(1);
  });

  it('checks a bearer token and accepts a form body', async () => {
    const body = 'text=form+hello';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('/hooks/token', body, { ...form, authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('/hooks/token', body, form)).status).toBe(401);
    expect(
      (await post('/hooks/token', body, { ...form, authorization: `Bearer ${ENV.HOOK_TOKEN}` })).status,
    ).toBe(202);
  });

  it('answers 404 for an unknown channel and keeps the Host rule', async () => {
    expect((await post('/hooks/nope', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    const foreign = await sendRequest(server.url, {
      method: 'POST',
      path: '/hooks/hook',
      body: '{}',
      headers: { host: 'evil.example', 'content-type': 'application/json' },
    });
    expect(foreign.status).toBe(403);
  });

  it('slack: verifies v0 signatures within 5 minutes and answers url_verification', async () => {
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
    const ok = await post('/hooks/slack', challenge, slackHeaders(challenge));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: 'c-123' });
    const stale = slackHeaders(challenge, Math.floor(Date.now() / 1000) - 6 * 60);
    expect((await post('/hooks/slack', challenge, stale)).status).toBe(401);
    const tampered = { ...slackHeaders(challenge), 'x-slack-signature': `v0=${hex('wrong', challenge)}` };
    expect((await post('/hooks/slack', challenge, tampered)).status).toBe(401);
  });

  it('slack: a thread of three messages is one session, answered in the thread with the bot token', async () => {
    const ids: string[] = [];
    const messages = [
      slackMessage('Ev1', 'first', '1700000000.000100'),
      slackMessage('Ev2', 'second', '1700000001.000200', '1700000000.000100'),
      slackMessage('Ev3', 'third', '1700000002.000300', '1700000000.000100'),
    ];
    for (const body of messages) {
      const response = await post('/hooks/slack', body, slackHeaders(body));
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { sessionId: string }).sessionId);
      // Slack retries a slow delivery with the same event_id: acknowledged, not run again.
      const retry = await post('/hooks/slack', body, slackHeaders(body));
      expect(await retry.json()).toEqual({ accepted: true, duplicate: true });
      await waitFor(() => api.received.length === ids.length, { message: 'the reply' });
    }
    expect(new Set(ids).size).toBe(1);
    expect(api.received).toEqual(
      ['first', 'second', 'third'].map((text) => ({
        method: 'POST',
        path: '/api/chat.postMessage',
        authorization: `Bearer ${ENV.SLACK_BOT_TOKEN}`,
        body: { channel: 'C42', thread_ts: '1700000000.000100', text: `echo: ${text}` },
      })),
    );
  });

  it('slack: a message that came while the last step was answered gets the answer of the run that read it', async () => {
    let entered: () => void = () => undefined;
    const answering = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gates = globalThis as Record<string, unknown>;
    gates[RACE_GATE] = async (text: string) => {
      if (text !== 'first') return;
      entered();
      await released;
    };
    try {
      const first = slackMessage('EvR1', 'first', '1700000100.000100');
      expect((await post('/hooks/slackrace', first, slackHeaders(first))).status).toBe(202);
      await answering;
      // Delivered while the model answers 'first' in the run's only step.
      const second = slackMessage('EvR2', 'second', '1700000101.000200', '1700000100.000100');
      const response = await post('/hooks/slackrace', second, slackHeaders(second));
      expect(response.status).toBe(202);
      release();
      await waitFor(() => api.received.length === 2, { message: 'both replies' });
      // The first run answered 'first' and left 'second' to the session's next run.
      expect(api.received.map((request) => request.body.text).sort()).toEqual([
        'echo: first',
        'echo: second',
      ]);
    } finally {
      release();
      delete gates[RACE_GATE];
    }
  });

  it('github: an issue comment gets a session per issue and a reply comment', async () => {
    const comment = (id: number, issue: number, body: string, type = 'User') =>
      JSON.stringify({
        action: 'created',
        comment: { id, body, user: { login: 'someone', type } },
        issue: { number: issue },
        repository: { full_name: 'acme/widgets' },
      });
    const headers = (body: string, delivery: string) => ({
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${hex(ENV.GITHUB_WEBHOOK_SECRET, body)}`,
    });
    const first = comment(1, 12, 'please look');
    const response = await post('/hooks/github', first, headers(first, 'gh-1'));
    expect(response.status).toBe(202);
    await waitFor(() => api.received.length === 1, { message: 'the comment' });
    expect(api.received[0]).toEqual({
      method: 'POST',
      path: '/repos/acme/widgets/issues/12/comments',
      authorization: `Bearer ${ENV.GITHUB_TOKEN}`,
      body: { body: 'echo: please look' },
    });
    const bot = comment(2, 12, 'echo: please look', 'Bot');
    expect(await (await post('/hooks/github', bot, headers(bot, 'gh-2'))).json()).toEqual({
      accepted: true,
      ignored: true,
    });
    const unsigned = comment(3, 12, 'sneaky');
    const forged = { ...headers(unsigned, 'gh-3'), 'x-hub-signature-256': `sha256=${hex('x', unsigned)}` };
    expect((await post('/hooks/github', unsigned, forged)).status).toBe(401);
  });
});
