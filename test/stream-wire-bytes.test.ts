// `serve` writes event streams straight into the Node response; any other host reads the same
// body as a Web stream. Both must put the same bytes on the wire, head included, in both formats.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { createApp } from '../src/server/app.js';
import { serve } from '../src/server/serve.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { echoAgent } from './helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('event stream bytes', () => {
  it('are the same written by serve and read from the Web stream, as NDJSON and as SSE', async () => {
    const store = new SqliteStore(join(dir, 'baton.db'));
    const runtime = createRuntime({ store, agents: [echoAgent] });
    const app = createApp({ runtime });
    const server = await serve({ app, port: 0 });
    const worker = runtime.startWorker({ concurrency: 1, pollIntervalMs: 10 });
    try {
      const { sessionId } = await runtime.start({ agent: 'echo', message: 'hi' });
      for await (const event of runtime.stream(sessionId)) if (event.type === 'run.completed') break;
      const path = `/v1/sessions/${sessionId}/stream`;
      for (const accept of ['application/x-ndjson', 'text/event-stream']) {
        const served = await fetch(`${server.url}${path}`, { headers: { accept } });
        const inProcess = await app.request(path, { headers: { accept } });
        const servedBytes = new Uint8Array(await served.arrayBuffer());
        expect(servedBytes).toEqual(new Uint8Array(await inProcess.arrayBuffer()));
        expect(new TextDecoder().decode(servedBytes)).toContain('run.completed');
        for (const header of ['content-type', 'cache-control', 'x-accel-buffering'])
          expect(served.headers.get(header)).toBe(inProcess.headers.get(header));
        expect(served.headers.get('x-request-id')).toMatch(/^req_/);
      }
    } finally {
      await worker.stop();
      await server.close({ graceMs: 100 });
      await runtime.close();
      await store.close();
    }
  });
});
