import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer } from './helpers/http-server.js';
import type { RawResponse } from './helpers/raw-http.js';
import { sendRequest } from './helpers/raw-http.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

const START = JSON.stringify({ agent: 'echo', message: 'hello' });
const MCP_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
const MCP_ACCEPT = { accept: 'application/json, text/event-stream' };

function expectError(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, body: JSON.parse(response.text) }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
}

describe('browser safety on a loopback server without auth', () => {
  let server: TestServer;
  let own: string;

  beforeAll(async () => {
    server = await startTestServer({ workers: 0 });
    own = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (path: string, headers: Record<string, string>, body?: string) =>
    sendRequest(server.url, {
      method: 'POST',
      path,
      headers: { host: own, ...headers },
      ...(body !== undefined && { body }),
    });

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no content type', undefined],
    ['a JSON look-alike', 'application/jsonp'],
  ])('refuses a session start sent as %s with 415 and starts nothing', async (_label, type) => {
    const response = await post('/v1/sessions', type === undefined ? {} : { 'content-type': type }, START);
    expectError(response, 415, 'unsupported_media_type');
    expect((await server.runtime.listSessions({})).items).toEqual([]);
  });

  it('refuses non-JSON bodies on the task API and on /mcp too', async () => {
    const task = JSON.stringify({ profile: 'agent:echo', args: { message: 'x' } });
    expectError(
      await post('/v1/tasks', { 'content-type': 'text/plain' }, task),
      415,
      'unsupported_media_type',
    );
    expectError(
      await post('/mcp', { ...MCP_ACCEPT, 'content-type': 'text/plain' }, MCP_LIST),
      415,
      'unsupported_media_type',
    );
  });

  it('accepts JSON with parameters, and bodiless POSTs without any content type', async () => {
    const started = await post('/v1/sessions', { 'content-type': 'Application/JSON; charset=utf-8' }, START);
    expect(started.status).toBe(202);
    const { runId } = JSON.parse(started.text) as { runId: string };
    const cancelled = await post(`/v1/runs/${runId}/cancel`, {});
    expect(cancelled.status).toBe(200);
    const again = await post(`/v1/runs/${runId}/cancel`, { 'content-type': 'text/plain' }, '');
    expect(again.status).toBe(409);
  });

  it.each([
    ['localhost', (port: number) => `localhost:${port}`],
    ['127.0.0.1', (port: number) => `127.0.0.1:${port}`],
    ['[::1]', (port: number) => `[::1]:${port}`],
  ])('serves a Host of %s with the listening port', async (_label, host) => {
    const response = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: host(server.port) },
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a rebinding domain', () => 'attacker.example'],
    ['a rebinding domain with the port', (port: number) => `attacker.example:${port}`],
    ['a loopback name on another port', (port: number) => `localhost:${port + 1}`],
    ['a subdomain of localhost', (port: number) => `evil.localhost:${port}`],
    ['the LAN address', (port: number) => `192.168.1.20:${port}`],
  ])('refuses a Host of %s with 403 on every route, /mcp and health included', async (_label, host) => {
    for (const path of ['/v1/health', '/v1/agents', '/v1/sessions', '/nowhere']) {
      expectError(
        await sendRequest(server.url, { path, headers: { host: host(server.port) } }),
        403,
        'host_refused',
      );
    }
    expectError(
      await post(
        '/mcp',
        { ...MCP_ACCEPT, 'content-type': 'application/json', host: host(server.port) },
        MCP_LIST,
      ),
      403,
      'host_refused',
    );
  });

  it.each([
    ['another site', 'https://attacker.example'],
    ['an opaque origin', 'null'],
    ['the same host on another port', 'http://127.0.0.1:1'],
  ])('refuses a request from %s with 403 origin_refused, /mcp included', async (_label, origin) => {
    const started = await post('/v1/sessions', { 'content-type': 'application/json', origin }, START);
    expectError(started, 403, 'origin_refused');
    expectError(
      await sendRequest(server.url, { path: '/v1/sessions', headers: { host: own, origin } }),
      403,
      'origin_refused',
    );
    expectError(
      await post('/mcp', { ...MCP_ACCEPT, 'content-type': 'application/json', origin }, MCP_LIST),
      403,
      'origin_refused',
    );
    const preflight = await sendRequest(server.url, {
      method: 'OPTIONS',
      path: '/v1/sessions',
      headers: { host: own, origin, 'access-control-request-method': 'POST' },
    });
    expectError(preflight, 403, 'origin_refused');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    ['LOCALHOST', (port: number) => `LOCALHOST:${port}`],
    ['LocalHost', (port: number) => `LocalHost:${port}`],
  ])('serves a Host of %s whatever its case', async (_label, host) => {
    const response = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: host(server.port) },
    });
    expect(response.status).toBe(200);
  });

  it('treats a page on http://localhost:<port> as its own origin when listening on 127.0.0.1', async () => {
    const origin = `http://localhost:${server.port}`;
    const started = await post('/v1/sessions', { 'content-type': 'application/json', origin }, START);
    expect(started.status).toBe(202);
    const listed = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: `[::1]:${server.port}`, origin: `http://127.0.0.1:${server.port}` },
    });
    expect(listed.status).toBe(200);
    expectError(
      await post(
        '/v1/sessions',
        { 'content-type': 'application/json', origin: `http://localhost:${server.port + 1}` },
        START,
      ),
      403,
      'origin_refused',
    );
  });

  it("serves a request whose Origin is the server's own", async () => {
    const listed = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: own, origin: `http://${own}` },
    });
    expect(listed.status).toBe(200);
  });

  it('answers /mcp for a same-origin MCP client', async () => {
    const listed = await post(
      '/mcp',
      { ...MCP_ACCEPT, 'content-type': 'application/json', origin: `http://${own}` },
      MCP_LIST,
    );
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.text)).toMatchObject({ result: { tools: expect.any(Array) } });
  });
});

describe('allowed hosts and CORS origins', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      workers: 0,
      allowedHosts: ['baton.internal', 'api.example:8443'],
      corsOrigins: ['https://app.example'],
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves an --allowed-host with any port, and one given with a port only on that port', async () => {
    const status = async (host: string) =>
      (await sendRequest(server.url, { path: '/v1/agents', headers: { host } })).status;
    expect(await status('baton.internal')).toBe(200);
    expect(await status('baton.internal:443')).toBe(200);
    expect(await status('api.example:8443')).toBe(200);
    expect(await status('api.example')).toBe(403);
    expect(await status('other.internal')).toBe(403);
  });

  it('answers the preflight of a listed origin and marks its responses for the browser', async () => {
    const host = `127.0.0.1:${server.port}`;
    const preflight = await sendRequest(server.url, {
      method: 'OPTIONS',
      path: '/v1/sessions',
      headers: {
        host,
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toContain('content-type');
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    expect(preflight.headers.vary?.toLowerCase()).toContain('origin');

    const started = await sendRequest(server.url, {
      method: 'POST',
      path: '/v1/sessions',
      headers: { host, origin: 'https://app.example', 'content-type': 'application/json' },
      body: START,
    });
    expect(started.status).toBe(202);
    expect(started.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(started.headers['access-control-expose-headers']?.toLowerCase()).toContain('location');

    const refused = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host, origin: 'https://app.example.attacker.test' },
    });
    expectError(refused, 403, 'origin_refused');
  });

  it('still requires JSON from a listed origin', async () => {
    const response = await sendRequest(server.url, {
      method: 'POST',
      path: '/v1/sessions',
      headers: {
        host: `127.0.0.1:${server.port}`,
        origin: 'https://app.example',
        'content-type': 'text/plain',
      },
      body: START,
    });
    expectError(response, 415, 'unsupported_media_type');
  });
});

describe('the Host rule on a bind address that is not loopback', () => {
  const started: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((server) => server.close()));
  });

  async function bound(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
    const server = await startTestServer({ workers: 0, host: '0.0.0.0', ...options });
    started.push(server);
    return server;
  }

  it('leaves Host to the load balancer in front when auth is on and no --allowed-host is given', async () => {
    const server = await bound({ auth: { mode: 'bearer', token: 'tok' } });
    const response = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: 'baton.example.com', authorization: 'Bearer tok' },
    });
    expect(response.status).toBe(200);
  });

  it('applies the Host rule once --allowed-host is given', async () => {
    const server = await bound({
      auth: { mode: 'bearer', token: 'tok' },
      allowedHosts: ['baton.example.com'],
    });
    const ask = (host: string) =>
      sendRequest(server.url, { path: '/v1/agents', headers: { host, authorization: 'Bearer tok' } });
    expect((await ask('baton.example.com')).status).toBe(200);
    expectError(await ask('attacker.example'), 403, 'host_refused');
  });

  it('applies the Host rule under --auth none whatever the bind address', async () => {
    const server = await bound({});
    expectError(
      await sendRequest(server.url, { path: '/v1/agents', headers: { host: 'attacker.example' } }),
      403,
      'host_refused',
    );
    const local = await sendRequest(server.url, {
      path: '/v1/agents',
      headers: { host: `localhost:${server.port}` },
    });
    expect(local.status).toBe(200);
  });
});

describe('baton serve browser-safety flags', () => {
  let dir: string;
  let server: ServeProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-browser-'));
    server = await startServeProcess([
      '--db',
      join(dir, 'baton.db'),
      '--port',
      '0',
      '--workers',
      '0',
      '--allowed-host',
      'baton.internal',
      '--cors-origin',
      'https://app.example',
      '--log-level',
      'debug',
    ]);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the allowed host and the CORS origin it was given, and refuses others', async () => {
    const port = new URL(server.url).port;
    const ask = (headers: Record<string, string>) =>
      sendRequest(server.url, { path: '/v1/agents', headers: { host: `127.0.0.1:${port}`, ...headers } });
    expect((await ask({ host: 'baton.internal' })).status).toBe(200);
    expectError(await ask({ host: 'attacker.example' }), 403, 'host_refused');
    const cors = await ask({ origin: 'https://app.example' });
    expect(cors.headers['access-control-allow-origin']).toBe('https://app.example');
    expectError(await ask({ origin: 'https://attacker.example' }), 403, 'origin_refused');
  });

  it('logs JSON lines on stderr at the chosen level', () => {
    const lines = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ level: expect.stringMatching(/^(debug|info|warn|error)$/) });
    }
  });

  it('rejects a CORS origin that is not an origin, and an unknown log level, as usage errors', async () => {
    const results = await Promise.all(
      [
        ['--cors-origin', 'app.example'],
        ['--cors-origin', 'https://app.example/path'],
        ['--log-level', 'loud'],
      ].map((flags) => runCli(['serve', '--db', join(dir, 'baton.db'), '--port', '0', ...flags])),
    );
    expect(results.map((result) => result.code)).toEqual([2, 2, 2]);
  });
});
