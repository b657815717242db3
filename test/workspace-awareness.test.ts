import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CallerIdentity } from '../src/core/tool.js';
import { tool } from '../src/core/tool.js';
import { awarenessBlock, workspacePeers } from '../src/governed/workspace-peers.js';
import { defineAgent } from '../src/index.js';
import { runTurn } from '../src/loop/run-turn.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { RunRecord } from '../src/store/run-store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import { startedJournal } from './loop-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-awareness-'));
const schema = uniqueSchema('workspace_awareness');
const STORES: Record<string, () => Promise<Store>> = {
  sqlite: async () => new SqliteStore(join(mkdtempSync(join(dir, 'db-')), 'baton.db')),
  postgres: () => openPostgresStore(schemaUrl(schema), { poolSize: 2 }),
};
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

const alice: CallerIdentity = { kind: 'bearer', subject: 'alice' };
const bob: CallerIdentity = { kind: 'bearer', subject: 'bob' };
let counter = 0;

describe.each(Object.keys(STORES))('workspace awareness on %s', (kind) => {
  async function openStore(): Promise<Store> {
    const store = await (STORES[kind] as () => Promise<Store>)();
    stores.push(store);
    return store;
  }

  /** A running `workspace` run of `who` on `repository`, held by a live lease, that wrote `files`. */
  async function workspaceSession(
    store: Store,
    who: CallerIdentity,
    repository: string,
    message: string,
    files: string[] = [],
  ): Promise<RunRecord> {
    counter += 1;
    const sessionId = `ses_aware${counter}_${kind}`;
    const runId = `run_aware${counter}_${kind}`;
    await store.createSession({
      id: sessionId,
      agent: 'coder',
      context: {},
      auth: { initiator: who, current: who },
      tokenHash: `hash${counter}${kind}`,
    });
    await store.append(sessionId, [{ type: 'session.started', data: { agent: 'coder' } }], { runId });
    await store.createRun({
      id: runId,
      sessionId,
      agent: 'coder',
      kind: 'workspace',
      input: { message, repository },
      idempotencyKey: null,
    });
    const claim = await store.claimRun('worker-1', 60_000, { runId });
    const fence = { runId, token: claim?.lease.token as string };
    for (const [index, path] of files.entries()) {
      await store.append(
        sessionId,
        [
          {
            type: 'tool.started',
            data: { toolCallId: `call_${index}`, name: 'write_file', input: { path } },
          },
        ],
        { runId, fence },
      );
    }
    return (await store.getRun(runId)) as RunRecord;
  }

  it("lists the principal's other live sessions on the same repository, and drops ended or dead ones", async () => {
    const store = await openStore();
    const self = await workspaceSession(store, alice, '/repo', 'add tests');
    const peer = await workspaceSession(store, alice, '/repo', 'fix the parser', [
      'src/parse.ts',
      'README.md',
    ]);
    await workspaceSession(store, alice, '/other', 'elsewhere', ['x.ts']);
    await workspaceSession(store, bob, '/repo', 'not yours', ['y.ts']);

    const peers = await workspacePeers(store, self);
    expect(peers).toEqual([
      {
        sessionId: peer.sessionId,
        agent: 'coder',
        goal: 'fix the parser',
        files: ['README.md', 'src/parse.ts'],
      },
    ]);
    expect(awarenessBlock(peers)).toContain(
      `- coder (session ${peer.sessionId}): "fix the parser"; modified recently: README.md, src/parse.ts`,
    );
    // Its worker died: the lease ran out, so it is no peer any more.
    const later = (peer.lease?.expiresAt ?? 0) + 1;
    expect(await workspacePeers(store, self, later)).toEqual([]);
    // It ended.
    await store.updateRun(peer.id, { status: 'succeeded', lease: null });
    expect(await workspacePeers(store, self)).toEqual([]);
    expect(awarenessBlock([])).toBeUndefined();
  });
});

describe('the instructions block of a turn', () => {
  it('is asked for before every model call, so it follows the peers step by step', async () => {
    const systems: string[] = [];
    let peers = ['- coder (session ses_1): "fix"; modified recently: a.ts'];
    const change = tool({
      name: 'change',
      description: 'the peer goes away',
      inputSchema: z.object({}),
      execute: () => {
        peers = [];
        return 'ok';
      },
    });
    const model = scriptedModel((request) => {
      const system = request.prompt[0];
      systems.push(system?.role === 'system' ? system.content : '');
      return request.step === 0 ? { toolCalls: [{ name: 'change', input: {} }] } : { text: 'done' };
    });
    const agent = defineAgent({
      name: 'coder',
      instructions: 'Code.',
      model,
      tools: [change],
      awareness: 'workspace',
    });
    await runTurn({
      agent,
      journal: startedJournal('go'),
      instructionsBlock: async () => (peers.length === 0 ? undefined : peers.join('\n')),
    });
    expect(systems).toEqual(['Code.\n\n- coder (session ses_1): "fix"; modified recently: a.ts', 'Code.']);
  });
});
