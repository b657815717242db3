import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { waitForGate, waitForIdle } from './helpers/hitl-agents.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import type { ServeProcess } from './helpers/serve-process.js';
import { startServeProcess } from './helpers/serve-process.js';

/** Calls `charge` (needs approval; appends a line to CHARGE_LOG when it runs), then answers. */
const chargeAgent = `
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { defineAgent, scriptedModel, tool } from '${join(REPO_ROOT, 'src', 'index.js')}';

const charge = tool({
  name: 'charge',
  description: 'Charges a card',
  inputSchema: z.object({ cents: z.number() }),
  needsApproval: true,
  execute: ({ cents }, context) => {
    appendFileSync(process.env.CHARGE_LOG, context.toolCallId + '\\n');
    return { charged: cents };
  },
});

export default defineAgent({
  name: 'charger',
  instructions: 'Charge.',
  tools: [charge],
  model: scriptedModel((request) =>
    request.lastRole === 'tool' ? { text: 'charged' } : { toolCalls: [{ name: 'charge', input: { cents: 500 } }] },
  ),
});
`;

const pgSchema = uniqueSchema('hitl');

describe.each([
  ['SQLite', (dir: string) => join(dir, 'baton.db')],
  ['Postgres', () => schemaUrl(pgSchema)],
])('people in the loop on %s, through baton serve and the CLI', (_store, dbOf) => {
  let dir: string;
  let agentsDir: string;
  let db: string;
  let chargeLog: string;
  const running: ServeProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-hitl-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    writeFileSync(join(agentsDir, 'charger.ts'), chargeAgent);
    db = dbOf(dir);
    chargeLog = join(dir, 'charge.log');
    writeFileSync(chargeLog, '');
  });

  afterAll(async () => {
    for (const server of running) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (db.startsWith('postgres')) await dropSchema(pgSchema);
  });

  const serve = async () => {
    const server = await startServeProcess(
      ['--agents', agentsDir, '--db', db, '--port', '0', '--workers', '1', '--lease-ttl', '1000'],
      { env: { CHARGE_LOG: chargeLog } },
    );
    running.push(server);
    return server;
  };

  it('approves across a server restart: the tool runs exactly once and the run completes', async () => {
    const first = await serve();
    const client = createClient({ baseUrl: first.url });
    const { sessionId, runId } = await client.startSession({ agent: 'charger', message: 'charge me' });
    const [approval] = (await waitForGate(client, sessionId)).pendingApprovals;
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await serve();
    const resumed = createClient({ baseUrl: second.url });
    const decided = await resumed.decide(approval?.approvalId ?? '', {
      decision: 'approve',
      ...(approval?.inputHash !== undefined && { inputHash: approval.inputHash }),
    });
    expect(decided).toMatchObject({ decision: 'approve', by: 'anonymous' });
    const done = await waitForIdle(resumed, sessionId);
    expect(done.status).toBe('idle');
    expect((await resumed.getRun(runId)).status).toBe('succeeded');
    expect(readFileSync(chargeLog, 'utf8').split('\n').filter(Boolean)).toEqual([approval?.toolCallId]);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);

  it('lists, denies and approves with baton approvals list, baton deny and baton approve', async () => {
    const server = await serve();
    const client = createClient({ baseUrl: server.url });
    const chargedBefore = readFileSync(chargeLog, 'utf8').split('\n').filter(Boolean).length;
    const denied = await client.startSession({ agent: 'charger', message: 'one' });
    const approved = await client.startSession({ agent: 'charger', message: 'two' });
    const [toDeny] = (await waitForGate(client, denied.sessionId)).pendingApprovals;
    const [toApprove] = (await waitForGate(client, approved.sessionId)).pendingApprovals;
    const env = { BATON_DB: db };
    const listed = await runCli(['approvals', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { approvalId: string }[]).map(
      (approval) => approval.approvalId,
    );
    expect(ids).toEqual(expect.arrayContaining([toDeny?.approvalId, toApprove?.approvalId]));

    const noReason = await runCli(['deny', toDeny?.approvalId ?? ''], { env });
    expect(noReason.code).toBe(2);
    const deny = await runCli(['deny', toDeny?.approvalId ?? '', '--reason', 'too much', '--json'], { env });
    expect(deny.code, deny.stderr).toBe(0);
    expect(JSON.parse(deny.stdout)).toMatchObject({ decision: 'deny', by: expect.stringMatching(/^cli:/) });
    const approve = await runCli(['approve', toApprove?.approvalId ?? ''], { env });
    expect(approve.code, approve.stderr).toBe(0);
    const again = await runCli(['approve', toApprove?.approvalId ?? ''], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already decided');

    await waitForIdle(client, denied.sessionId);
    await waitForIdle(client, approved.sessionId);
    // Only the approved call was charged.
    expect(readFileSync(chargeLog, 'utf8').split('\n').filter(Boolean)).toHaveLength(chargedBefore + 1);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 240_000);
});
