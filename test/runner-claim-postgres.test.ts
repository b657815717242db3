import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretSource } from '../src/governed/handoff/secret-source.js';
import { runnerKeyStatement } from '../src/governed/runner-plane.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { signStatement } from '../src/proof/signature.js';
import { runnerAccess } from '../src/server/runner-access.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { startTestServer } from './helpers/http-server.js';
import { queuePoolRun } from './helpers/pool-run.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

// A Postgres store reads a claimed run's session in the claim's own statement (the attempt's
// first session read, saved). A plane on Postgres must still send a runner only the run and its
// lease: the session row holds the continuation token's hash and the callers' identities.

const TOKEN = 'token-alpha';

describe('a runner claim from a plane on Postgres', () => {
  it('carries the run and its lease, nothing of the session read with them', async () => {
    const schema = uniqueSchema('runner_claim');
    const keysDir = mkdtempSync(join(tmpdir(), 'baton-runner-claim-keys-'));
    const server = await startTestServer({
      store: await openPostgresStore(schemaUrl(schema)),
      workers: 0,
      runnerAccess: runnerAccess([`alpha=${TOKEN}`], 'none'),
      handoffs: { keys: await loadOrCreateKeys(keysDir), secrets: secretSource({ secrets: {} }) },
    });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${server.url}/v1/runner/alpha${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const keys = await loadOrCreateKeys(server.dir);
      const proof = signStatement(runnerKeyStatement('alpha', keys.publicKeyHex), keys);
      expect((await post('/keys', { proof })).status).toBe(201);
      const { runId } = await queuePoolRun(server.store, 'claimed', { pool: 'alpha' });
      const response = await post('/claim', {
        owner: 'runner-alpha',
        ttlMs: 60_000,
        publicKey: keys.publicKeyHex,
        filter: { kinds: ['exec'] },
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      const claim = JSON.parse(text) as Record<string, { id?: string }>;
      expect(Object.keys(claim).sort()).toEqual(['lease', 'run']);
      expect(claim.run?.id).toBe(runId);
      expect(text).not.toContain('hash_claimed');
    } finally {
      await server.close();
      await dropSchema(schema);
      rmSync(keysDir, { recursive: true, force: true });
    }
  });
});
