import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BatonEvent, Store } from '../src/index.js';
import { defineAgent, scriptedModel, tool } from '../src/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import type { Executions } from './fixtures/specialists.js';
import { coordinator, specialist, toolOutputs } from './fixtures/specialists.js';
import type { TestServer } from './helpers/http-server.js';
import { readNdjson, startTestServer } from './helpers/http-server.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-children-http-'));
const schema = uniqueSchema('children_http');
const STORES: Record<string, () => Promise<Store>> = {
  sqlite: async () => new SqliteStore(join(mkdtempSync(join(dir, 'db-')), 'baton.db')),
  postgres: () => openPostgresStore(schemaUrl(schema), { poolSize: 4 }),
};
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

type Tagged = BatonEvent & { childSessionId?: string };

/** A gate the test opens: every specialist's tool waits on it. */
function latch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, wait: () => opened };
}

describe.each(Object.keys(STORES))('child sessions over HTTP (%s)', (storeName) => {
  const openStore = STORES[storeName] as () => Promise<Store>;

  it('streams every child event exactly once with children=1, tagged with its childSessionId', async () => {
    const executions: Executions = {};
    const gate = latch();
    const specialists = ['billing', 'legal', 'tech'].map((name) => specialist(name, executions, gate.wait));
    server = await startTestServer({
      agents: [coordinator(specialists)],
      workers: 4,
      store: await openStore(),
    });
    const { client, url, store } = server;
    const { sessionId } = await client.startSession({ agent: 'coordinator', message: 'help' });
    const reading = fetch(`${url}/v1/sessions/${sessionId}/stream?children=1`).then(readNdjson);
    await waitFor(async () => Object.keys(executions).length === 3, { timeoutMs: 60_000 });
    gate.open();
    // Token deltas are live only; every persisted event carries a seq.
    const streamed = ((await reading) as unknown as Tagged[]).filter((event) => event.seq !== undefined);
    const root = await store.readEvents(sessionId);
    expect(root.at(-1)?.type).toBe('run.completed');
    expect(streamed.filter((event) => event.childSessionId === undefined).map((event) => event.seq)).toEqual(
      root.map((event) => event.seq),
    );
    const children = root.flatMap((event) =>
      event.type === 'subagent.started' ? [event.data.childSessionId] : [],
    );
    expect(children).toHaveLength(3);
    for (const child of children) {
      const log = await store.readEvents(child);
      const seen = streamed.filter((event) => event.childSessionId === child);
      expect(seen.map((event) => event.seq)).toEqual(log.map((event) => event.seq));
      expect(seen.every((event) => event.sessionId === child)).toBe(true);
    }
    expect(executions).toEqual({ billing: 1, legal: 1, tech: 1 });
  });

  it("surfaces a child's approval on the root session; approved over HTTP, the tool runs once and the parent finishes", async () => {
    const refunds: string[] = [];
    const refunder = defineAgent({
      name: 'refunder',
      description: 'Refunds charges',
      instructions: 'Refund what you are asked to.',
      model: scriptedModel((request) =>
        request.lastRole === 'user'
          ? { toolCalls: [{ name: 'refund', input: { charge: 'ch_1' } }] }
          : { text: `refunded: ${JSON.stringify(toolOutputs(request.prompt).at(-1))}` },
      ),
      tools: [
        tool({
          name: 'refund',
          description: 'Refunds a charge',
          inputSchema: z.object({ charge: z.string() }),
          needsApproval: true,
          execute: ({ charge }) => {
            refunds.push(charge);
            return { refunded: charge };
          },
        }),
      ],
    });
    server = await startTestServer({
      agents: [coordinator([refunder])],
      workers: 2,
      store: await openStore(),
    });
    const { client, url } = server;
    const { sessionId, runId } = await client.startSession({ agent: 'coordinator', message: 'refund me' });
    const waiting = await waitFor(
      async () => {
        const session = await client.getSession(sessionId);
        return session.pendingApprovals.length > 0 ? session : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // The root waits on its child, not on a person: it reads running; the child waits for one.
    expect(waiting.status).toBe('running');
    // The run view says what the root waits on: its children.
    const parked = await waitFor(
      async () => {
        const run = (await fetch(`${url}/v1/runs/${runId}`).then((response) => response.json())) as {
          status: string;
          waitingOn?: string;
        };
        return run.status === 'waiting' ? run : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(parked.waitingOn).toBe('children');
    const [approval] = waiting.pendingApprovals;
    expect(approval?.sessionId).not.toBe(sessionId);
    expect(approval?.runPath).toHaveLength(2);
    expect(approval?.runPath[0]).toBe(runId);
    const listed = await fetch(`${url}/v1/approvals`).then((response) => response.json());
    expect(
      (listed as { approvals: { approvalId: string }[] }).approvals.map((entry) => entry.approvalId),
    ).toEqual([approval?.approvalId]);
    const ofRoot = await fetch(`${url}/v1/approvals?sessionId=${sessionId}`).then((response) =>
      response.json(),
    );
    expect((ofRoot as { approvals: { runPath: string[] }[] }).approvals).toEqual([
      expect.objectContaining({ approvalId: approval?.approvalId, runPath: approval?.runPath }),
    ]);
    const decided = await fetch(`${url}/v1/approvals/${approval?.approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);
    await waitFor(async () => (await client.getRun(runId)).status === 'succeeded', { timeoutMs: 60_000 });
    expect(refunds).toEqual(['ch_1']);
    const streamed = (await fetch(`${url}/v1/sessions/${sessionId}/stream?children=1`).then(
      readNdjson,
    )) as unknown as Tagged[];
    expect(streamed.filter((event) => event.type === 'approval.requested')).toEqual([
      expect.objectContaining({ childSessionId: approval?.sessionId }),
    ]);
    const answer = streamed.find(
      (event) => event.type === 'run.completed' && event.childSessionId === undefined,
    );
    expect(JSON.stringify(answer)).toContain('ch_1');
  });
});
