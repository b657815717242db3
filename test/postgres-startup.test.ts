import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { adminQuery, PG_URL, startupError } from './helpers/postgres.js';

describe('postgres store startup errors', () => {
  it('names an unknown database', async () => {
    const url = new URL(PG_URL);
    url.pathname = '/baton_no_such_database';
    const error = await startupError(url.href);
    expect(error.code).toBe('db_not_found');
  });

  it('names a role the server rejects, without leaking the password', async () => {
    const url = new URL(PG_URL);
    url.username = 'baton_no_such_role';
    url.password = 'hunter2';
    const error = await startupError(url.href);
    expect(error.code).toBe('db_auth_failed');
    expect(error.message).not.toContain('hunter2');
  });

  it('names a role without the rights to create its schema on a fresh database', async () => {
    const suffix = randomBytes(4).toString('hex');
    const role = `baton_noperm_${suffix}`;
    const database = `baton_noperm_${suffix}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    await adminQuery(`CREATE DATABASE ${database}`);
    try {
      const url = new URL(PG_URL);
      url.username = role;
      url.pathname = `/${database}`;
      const error = await startupError(url.href);
      expect(error.code).toBe('db_permission_denied');
      expect(error.message).toMatch(/permission/);
      // A schema an administrator made, without granting the role anything on it.
      await adminQuery('CREATE SCHEMA baton_locked', [], database);
      url.searchParams.set('schema', 'baton_locked');
      expect((await startupError(url.href)).code).toBe('db_permission_denied');
    } finally {
      await adminQuery(`DROP DATABASE ${database} WITH (FORCE)`);
      await adminQuery(`DROP ROLE ${role}`);
    }
  });

  it('reports an unreachable server as unavailable', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
      });
    });
    const error = await startupError(`postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(error.code).toBe('db_unavailable');
  });

  it('rejects a malformed URL before connecting', async () => {
    expect((await startupError('postgres://a b@/')).code).toBe('db_url_invalid');
  });
});
