import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';
import { sandboxExec } from '../src/workspace/sandbox/sandbox-exec.js';

describe('sandboxExec with allowHosts', () => {
  let workspace = '';
  let server: Server;
  let port = 0;
  let served = 0;
  beforeEach(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'baton-egress-ws-'));
    served = 0;
    server = createServer((_req, res) => {
      served += 1;
      res.end('allowed-host-answer\n');
    });
    port = await listenOnLoopback(server);
  });
  afterEach(async () => {
    rmSync(workspace, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const curl = (url: string, ...flags: string[]) =>
    sandboxExec({
      cwd: workspace,
      command: ['curl', '-fsS', '--max-time', '20', ...flags, url],
      allowHosts: ['127.0.0.1'],
      timeoutMs: 30_000,
      maxOutputBytes: 65_536,
    });

  it('reaches an allowed host through the proxy, over plain HTTP and a CONNECT tunnel', async () => {
    const plain = await curl(`http://127.0.0.1:${port}/`);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe('allowed-host-answer\n');
    const tunnelled = await curl(`http://127.0.0.1:${port}/`, '--proxytunnel');
    expect(tunnelled.stdout).toBe('allowed-host-answer\n');
    expect(served).toBe(2);
  });

  it('refuses every other host, and direct connections still fail', async () => {
    const byOtherName = await curl(`http://localhost:${port}/`);
    expect(byOtherName.exitCode).not.toBe(0);
    const tunnelled = await curl(`http://localhost:${port}/`, '--proxytunnel');
    expect(tunnelled.exitCode).not.toBe(0);
    expect(tunnelled.stderr).toContain('403');
    const direct = await curl(`http://127.0.0.1:${port}/`, '--noproxy', '*');
    expect(direct.exitCode).not.toBe(0);
    expect(served).toBe(0);
  });

  it('rejects allowHosts entries that are not host names', async () => {
    const base = { cwd: workspace, command: ['true'], timeoutMs: 5_000, maxOutputBytes: 1_024 };
    await expect(sandboxExec({ ...base, allowHosts: ['http://example.com/'] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
