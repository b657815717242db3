import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { waitFor } from '../src/testing/wait-for.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import {
  type BackgroundCli,
  createScaleFixture,
  SCALE_WAIT_MS,
  type ScaleFixture,
  spawnCli,
} from './helpers/scale-fixture.js';

let schema: string;
let fixture: ScaleFixture;
const servers: BackgroundCli[] = [];

beforeEach(() => {
  schema = uniqueSchema('serve');
  fixture = createScaleFixture();
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server.exited;
  }
  await dropSchema(schema);
  fixture.cleanup();
});

async function serve(workers: number): Promise<{ process: BackgroundCli; url: string }> {
  const server = spawnCli(
    [
      'serve',
      '--db',
      schemaUrl(schema),
      '--agents',
      fixture.agentsDir,
      '--port',
      '0',
      '--workers',
      String(workers),
    ],
    { env: { BATON_PG_POOL_SIZE: '3' } },
  );
  servers.push(server);
  let url = '';
  await waitFor(
    () => {
      url = /Baton listening on (\S+)/.exec(server.stdout())?.[1] ?? '';
      if (server.child.exitCode !== null) throw new Error(`baton serve exited: ${server.stderr()}`);
      return url !== '';
    },
    { timeoutMs: SCALE_WAIT_MS, message: 'baton serve to listen' },
  );
  return { process: server, url: url.replace(/\/$/, '') };
}

/** Reads an NDJSON response line by line as it arrives. */
async function* ndjsonLines(response: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return;
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
  }
}

describe('two baton serve processes on one Postgres database', () => {
  it('stream, on one server, live, a run that the other server executes, and resume that stream on the other', async () => {
    // Both open the schema at once: the migration advisory lock lets exactly one create it.
    const [front, back] = await Promise.all([serve(0), serve(1)]);
    const started = await fetch(`${front.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'gated', message: 'go' }),
    });
    expect(started.status).toBe(202);
    const { sessionId, runId } = (await started.json()) as { sessionId: string; runId: string };

    const stream = await fetch(`${front.url}/v1/sessions/${sessionId}/stream`);
    expect(stream.status).toBe(200);
    const persisted: BatonEvent[] = [];
    let releasedAfter: number | undefined;
    for await (const event of ndjsonLines(stream)) {
      if (event.type === 'model.delta') continue;
      persisted.push(event as unknown as BatonEvent);
      if (event.type === 'message.completed' && releasedAfter === undefined) {
        // The tool call is committed; once its execution record exists the run is blocked inside
        // the back server's tool (`gated`'s tool is idempotent, so its `tool.started` commits
        // with its result), and everything after this point can only reach the front server
        // live, across processes.
        await waitFor(() => fixture.executions().length > 0, {
          timeoutMs: SCALE_WAIT_MS,
          message: 'the tool execution record',
        });
        releasedAfter = persisted.length;
        fixture.release();
      }
      if (event.type === 'run.completed') break;
    }

    expect(releasedAfter).toBeDefined();
    expect(persisted.slice(releasedAfter).map((event) => event.type)).toEqual(
      expect.arrayContaining(['tool.result', 'step.completed', 'run.completed']),
    );
    expect(persisted.map((event) => event.seq)).toEqual(persisted.map((_event, index) => index));
    expect(verifyChain(persisted)).toMatchObject({ ok: true });
    expect(persisted.at(-1)).toMatchObject({ type: 'run.completed', runId, data: { text: 'released' } });
    const executions = fixture.executions();
    expect(executions.map((execution) => execution.what)).toEqual(['start', 'done']);
    expect(new Set(executions.map((execution) => execution.pid))).toEqual(new Set([back.process.child.pid]));

    const run = (await (await fetch(`${front.url}/v1/runs/${runId}`)).json()) as { status: string };
    expect(run.status).toBe('succeeded');

    // A client that lost the stream reconnects to the other server from its last seq + 1 and
    // gets exactly the rest, in order.
    const resumeFrom = releasedAfter ?? 0;
    const resumed = await fetch(`${back.url}/v1/sessions/${sessionId}/stream?from=${resumeFrom}`);
    expect(resumed.status).toBe(200);
    const rest: BatonEvent[] = [];
    for await (const event of ndjsonLines(resumed)) {
      if (event.type === 'model.delta') continue;
      rest.push(event as unknown as BatonEvent);
      if (event.type === 'run.completed') break;
    }
    expect(rest).toEqual(persisted.slice(resumeFrom));
  }, 180_000);
});
