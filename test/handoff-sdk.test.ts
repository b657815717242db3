import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { poolAgents } from '../src/governed/handoff/pool-agents.js';
import { secretSource } from '../src/governed/handoff/secret-source.js';
import { issueReceipt } from '../src/governed/issue.js';
import {
  agents,
  type HandoffOptions,
  handoff,
  localFirst,
  PolicyDeniedError,
  reviewStrategies,
  targets,
  triggers,
} from '../src/handoff/index.js';
import type { BatonEvent } from '../src/index.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { runWithEvents, tempKeys } from './helpers/governed.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';

const ENV_VALUE = 'dotenv-value-3f9a1c-never-leaves';
const SECRET_VALUE = 'plane-secret-77e2b0-released-only-inside';

/** Counts the SDK's requests to the plane, by method and route family. */
function countingFetch() {
  const requests: { method: string; path: string }[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push({ method: init?.method ?? 'GET', path: url.pathname });
    return globalThis.fetch(input, init);
  };
  return {
    fetch,
    requests,
    blobRequests: () => requests.filter((request) => request.path.startsWith('/v1/blobs/')),
    uploaded: () =>
      requests
        .filter((request) => request.method === 'PUT' && request.path.startsWith('/v1/blobs/'))
        .map((request) => request.path.slice('/v1/blobs/'.length)),
  };
}

/** Every byte the plane wrote: its SQLite store (file, WAL) in its directory. */
function planeBytes(server: TestServer): Buffer {
  return Buffer.concat(readdirSync(server.dir).map((name) => readFileSync(join(server.dir, name))));
}

describe('baton-runtime/handoff against a plane', () => {
  let server: TestServer;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  let repo: TempRepo;
  let counter: ReturnType<typeof countingFetch>;

  beforeAll(async () => {
    home = await tempKeys();
    server = await startTestServer({
      workers: 0,
      handoffs: {
        keys: home.keys,
        secrets: secretSource({ secrets: { API_TOKEN: { value: SECRET_VALUE, pools: ['gpu'] } } }),
        poolAgents: poolAgents(['gpu=echo,nobody']),
      },
    });
  });
  afterAll(async () => {
    await server.close();
    home.remove();
  });
  beforeEach(() => {
    repo?.remove();
    repo = createTempRepo({ 'a.txt': 'one\n', 'src/b.txt': 'bee\n' });
    repo.write('a.txt', 'one, changed\n');
    repo.write('notes/todo.md', 'finish the hand-off\n');
    repo.write('scratch.txt', 'not allowlisted\n');
    repo.write('.env', `TOKEN=${ENV_VALUE}\n`);
    counter = countingFetch();
  });

  const session = (overrides: Partial<HandoffOptions> = {}) =>
    handoff({
      workspace: repo.dir,
      plane: { url: server.url, fetch: counter.fetch },
      allowUntracked: ['notes/**'],
      policy: localFirst({
        allowPools: ['gpu'],
        maxBudgetUsd: 5,
        maxParallel: 3,
        allowSecrets: ['API_TOKEN'],
      }),
      ...overrides,
    });

  const runCount = async () => (await server.runtime.listRuns({ limit: 1000 })).items.length;
  const runEvents = async (runId: string): Promise<BatonEvent[]> =>
    (await runWithEvents(server.store, runId)).events;

  it('dryRun discloses every file that would move and why, uploading nothing', async () => {
    const report = await session().dryRun(targets.pool('gpu'), {
      task: 'write the summary',
      secrets: ['API_TOKEN'],
    });
    expect(report.decision).toBe('continue');
    expect(report.files.map((file) => [file.path, file.why.split(',')[0]])).toEqual([
      ['a.txt', 'tracked'],
      ['notes/todo.md', 'untracked'],
    ]);
    const todo = report.files.find((file) => file.path === 'notes/todo.md');
    expect(todo).toMatchObject({ bytes: 20, why: 'untracked, allowlisted by "notes/**"' });
    expect(report.denied).toEqual([
      expect.objectContaining({ path: '.env', reason: 'secret' }),
      expect.objectContaining({ path: 'scratch.txt', reason: 'not_allowlisted' }),
    ]);
    expect(report).toMatchObject({
      pool: 'gpu',
      agent: 'mock',
      baseRef: repo.git('rev-parse', 'HEAD'),
      secrets: ['API_TOKEN'],
      hosts: [],
      budget: { maxCostUsd: null },
    });
    expect(report.bundleBytes).toBe(report.blobs.reduce((sum, blob) => sum + blob.bytes, 0));
    expect(JSON.stringify(report)).not.toContain(ENV_VALUE);
    expect(counter.requests).toEqual([]);
    for (const blob of report.blobs) expect(await server.store.getBlob(blob.hash)).toBeUndefined();
  });

  it('continueIn uploads exactly what dryRun listed; the .env and the secret value never reach the plane', async () => {
    const sdk = session();
    const report = await sdk.dryRun(targets.pool('gpu'), {
      task: 'write the summary',
      secrets: ['API_TOKEN'],
    });
    const run = await sdk.continueIn(targets.pool('gpu'), {
      task: 'write the summary',
      secrets: ['API_TOKEN'],
    });

    expect(counter.uploaded().sort()).toEqual(report.blobs.map((blob) => blob.hash).sort());
    for (const blob of report.blobs) expect(await server.store.getBlob(blob.hash)).toBeDefined();
    expect(run.envelopeHash).toBe(report.envelopeHash);
    expect(sdk.lastEnvelope()?.checkpoint.id).toBe(report.checkpointId);

    const record = await server.store.getRun(run.runId);
    expect(record).toMatchObject({ pool: 'gpu', kind: 'exec', status: 'queued' });
    const events = await runEvents(run.runId);
    const decided = events.find((event) => event.type === 'policy.decided');
    expect(decided?.data).toMatchObject({ decision: 'continue', envelopeHash: run.envelopeHash });
    const issued = events.find((event) => event.type === 'contract.issued');
    if (issued?.type !== 'contract.issued') throw new Error('no contract.issued');
    const contract = JSON.parse(
      Buffer.from((await server.store.getBlob(issued.data.contractHash)) as Uint8Array).toString('utf8'),
    ) as { envelopeHash: string; pool: string; secrets: { env: string[] }; network: { mode: string } };
    expect(contract).toMatchObject({
      envelopeHash: run.envelopeHash,
      pool: 'gpu',
      secrets: { env: ['API_TOKEN'] },
      network: { mode: 'none' },
    });

    const stored = planeBytes(server);
    expect(stored.includes(ENV_VALUE)).toBe(false);
    expect(stored.includes(SECRET_VALUE)).toBe(false);
    expect(stored.includes('notes/todo.md')).toBe(true);
  });

  it('a second checkpoint of the same tree sends only its record and extends the lineage', async () => {
    const sdk = session();
    const first = await sdk.checkpoint('first');
    const second = await sdk.checkpoint('second');
    expect(second.parent).toBe(first.id);
    expect(second.lineage).toEqual([first.id, second.id]);
    expect(second.upload.sent).toBe(1);
    expect(second.upload.skipped).toBeGreaterThan(0);
  });

  describe('denials throw with reasons and upload nothing', () => {
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'a pool the policy does not allow',
        () => session().continueIn(targets.pool('elsewhere'), { task: 't' }),
        /pool "elsewhere" is not in allowPools/,
      ],
      [
        'a budget over maxBudgetUsd',
        () => session().continueIn(targets.pool('gpu'), { task: 't', budget: { maxCostUsd: 50 } }),
        /budget \$50 is over maxBudgetUsd \$5/,
      ],
      [
        'a secret the policy does not allow',
        () => session().continueIn(targets.pool('gpu'), { task: 't', secrets: ['AWS_SECRET_ACCESS_KEY'] }),
        /secret AWS_SECRET_ACCESS_KEY is not in allowSecrets/,
      ],
      [
        'more parallel attempts than maxParallel',
        () => session().parallel(['a', 'b', 'c', 'd'], targets.pool('gpu')),
        /4 parallel attempts are over maxParallel 3/,
      ],
    ];
    for (const [name, attempt, reason] of cases) {
      it(`denies ${name}`, async () => {
        const runsBefore = await runCount();
        const error = await attempt().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(PolicyDeniedError);
        expect((error as PolicyDeniedError).code).toBe('policy_denied');
        expect((error as PolicyDeniedError).reasons.some((text) => reason.test(text))).toBe(true);
        expect(counter.blobRequests()).toEqual([]);
        expect(counter.requests).toEqual([]);
        expect(await runCount()).toBe(runsBefore);
      });
    }

    it('the plane denies a secret it cannot release to the pool, queueing nothing', async () => {
      const sdk = session({ policy: localFirst({ allowPools: ['cpu'], allowSecrets: ['API_TOKEN'] }) });
      const runsBefore = await runCount();
      const error = await sdk
        .continueIn(targets.pool('cpu'), { task: 't', secrets: ['API_TOKEN'] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PolicyDeniedError);
      expect((error as PolicyDeniedError).reasons).toEqual([
        'secret API_TOKEN is not available on the plane for pool "cpu"',
      ]);
      expect(await runCount()).toBe(runsBefore);
      expect(sdk.trace().at(-1)).toMatchObject({ type: 'denied', data: { by: 'plane' } });
    });
  });

  it('toolFailures(2) fires after two journaled tool failures: needs() is false before and true after', async () => {
    const sdk = session({
      policy: localFirst({ allowPools: ['gpu'], continueWhen: [triggers.toolFailures(2)] }),
    });
    const tools = sdk.tools({
      flaky: {
        description: 'fails',
        execute: async (_input: { attempt: number }) => {
          throw new Error('the build server is down');
        },
      },
      fine: { execute: async () => 'ok' },
    });
    const target = targets.pool('gpu');
    expect(sdk.needs(target)).toBe(false);
    await expect(tools.flaky.execute({ attempt: 1 })).rejects.toThrow('the build server is down');
    await tools.fine.execute();
    expect(sdk.needs(target)).toBe(false);
    await expect(tools.flaky.execute({ attempt: 2 })).rejects.toThrow();
    expect(sdk.needs(target)).toBe(true);
    expect(sdk.plan(target).firedTriggers).toEqual(['toolFailures(2): 2 tool calls failed']);
    expect(sdk.summary()).toMatchObject({ toolCalls: 3, toolFailures: 2 });
    expect(sdk.needs(targets.pool('elsewhere'))).toBe(false);

    const checkpoint = await sdk.checkpoint('after the failures');
    const record = JSON.parse(
      Buffer.from((await server.store.getBlob(checkpoint.id)) as Uint8Array).toString('utf8'),
    ) as { journalHash: string };
    const journal = JSON.parse(
      Buffer.from((await server.store.getBlob(record.journalHash)) as Uint8Array).toString('utf8'),
    ) as { name: string; ok: boolean }[];
    expect(journal.map((entry) => [entry.name, entry.ok])).toEqual([
      ['flaky', false],
      ['fine', true],
      ['flaky', false],
    ]);
  });

  it('agents.baton(name): a worker runs its own agent of that name (no module recorded), and one with none fails it agent_unavailable', async () => {
    const known = await session({ agent: agents.baton('echo') }).continueIn(targets.pool('gpu'), {
      task: 'say it back',
    });
    const queued = await server.store.getRun(known.runId);
    expect(queued).toMatchObject({ kind: 'agent', agent: 'echo', agentModule: null });
    // The plane's runtime, which has `echo` among its own agents, in place of a pool runner.
    await server.runtime.execute(known.runId);
    expect(await server.store.getRun(known.runId)).toMatchObject({
      status: 'succeeded',
      result: { text: 'echo: say it back' },
    });
    const types = (await runEvents(known.runId)).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['message.received', 'message.completed', 'workspace.patch']),
    );

    const unknown = await session({ agent: agents.baton('nobody') }).continueIn(targets.pool('gpu'), {
      task: 'say it back',
    });
    await server.runtime.execute(unknown.runId);
    const failed = await server.store.getRun(unknown.runId);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatchObject({ code: 'agent_unavailable' });
    expect((await runEvents(unknown.runId)).map((event) => event.type)).not.toContain('run.started');
    expect(() => agents.baton('no spaces allowed')).toThrow(/is not an agent name/);
  });

  it('refuses (403 agent_not_allowed) a Baton agent the pool does not allow, and any on a pool with no allowlist, queueing nothing', async () => {
    const runsBefore = await runCount();
    const refusedWith = (agent: string, pool: string) =>
      session({ agent: agents.baton(agent), policy: localFirst({ allowPools: [pool] }) })
        .continueIn(targets.pool(pool), { task: 't' })
        .catch((caught: unknown) => caught);
    const stranger = await refusedWith('stranger', 'gpu');
    expect(stranger).toMatchObject({ code: 'agent_not_allowed', status: 403 });
    expect((stranger as Error).message).toMatch(/only to the Baton agents echo, nobody, not stranger/);
    const unlisted = await refusedWith('echo', 'cpu');
    expect(unlisted).toMatchObject({ code: 'agent_not_allowed', status: 403 });
    expect((unlisted as Error).message).toMatch(/--pool-agents cpu=echo/);
    expect(await runCount()).toBe(runsBefore);
    // An exec hand-off runs wholly in the sandbox: no allowlist is needed for it.
    const exec = await session({ policy: localFirst({ allowPools: ['cpu'] }) }).continueIn(
      targets.pool('cpu'),
      {
        task: 't',
      },
    );
    expect(await server.store.getRun(exec.runId)).toMatchObject({ kind: 'exec', pool: 'cpu' });
  });

  it('a run executed on the plane pulls back in place when the tree is unchanged, and onto a branch otherwise', async () => {
    const sdk = session();
    const [first, second] = await sdk.parallel(['short', 'a much longer task text'], targets.pool('gpu'));
    if (!first || !second) throw new Error('two runs expected');
    expect(first.contractHash).not.toBe(second.contractHash);
    // Executed by the plane's runtime in place of a pool runner (wip/plane16 adds those).
    for (const run of [first, second]) {
      await server.runtime.execute(run.runId);
      await issueReceipt(server.store, run.runId, home.keys);
    }
    const { winner, scorecards } = await sdk.review([first, second], {
      choose: reviewStrategies.smallestDiff(),
    });
    expect(winner?.runId).toBe(first.runId);
    expect(scorecards.map((card) => card.passed)).toEqual([true, true]);
    expect((await first.receipt()).receipt).toMatchObject({ runId: first.runId, status: 'succeeded' });

    expect(await first.pull({ isolation: 'auto' })).toMatchObject({ mode: 'applied' });
    expect(readFileSync(join(repo.dir, 'HANDOFF.md'), 'utf8')).toBe('short\n');
    repo.write('a.txt', 'edited after the hand-off\n');
    const branched = await second.pull({ isolation: 'auto' });
    expect(branched).toMatchObject({ mode: 'branch', branch: `baton/${second.runId}` });
    expect(readFileSync(join(repo.dir, 'HANDOFF.md'), 'utf8')).toBe('short\n');
    expect(repo.git('show', `baton/${second.runId}:HANDOFF.md`)).toBe('a much longer task text');
  });
});
