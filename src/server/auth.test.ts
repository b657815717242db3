import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AuthOptions } from './auth.js';
import { authenticate } from './auth.js';
import { errorResponse } from './error-response.js';
import type { ServerEnv } from './server-env.js';

function whoAmI(auth: AuthOptions): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.onError((error) => errorResponse(error));
  app.use('*', authenticate(auth));
  app.get('/me', (c) => c.json(c.var.caller));
  return app;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authenticate', () => {
  it('lets everyone in as anonymous when auth is none', async () => {
    const response = await whoAmI({ mode: 'none' }).request('/me');
    expect(await response.json()).toEqual({ kind: 'anonymous', subject: 'anonymous' });
  });

  it('accepts the right bearer token and never exposes it as the identity', async () => {
    const app = whoAmI({ mode: 'bearer', token: 's3cret-token' });
    const response = await app.request('/me', { headers: { authorization: 'Bearer s3cret-token' } });
    expect(response.status).toBe(200);
    const identity = await response.json();
    expect(identity).toEqual({ kind: 'bearer', subject: 'api-token' });
    expect(JSON.stringify(identity)).not.toContain('s3cret');
  });

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer nope'],
    ['a token prefix', 'Bearer s3cret'],
    ['the wrong scheme', basic('s3cret-token', '')],
    ['an empty token', 'Bearer '],
  ])('answers 401 with a JSON error and a challenge for %s', async (_label, header) => {
    const app = whoAmI({ mode: 'bearer', token: 's3cret-token' });
    const response = await app.request(
      '/me',
      header === undefined ? {} : { headers: { authorization: header } },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="baton"');
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it.each([
    ['bearer', { mode: 'bearer', token: 'user-token', adminToken: 'admin-token' }],
    ['basic', { mode: 'basic', username: 'ada', password: 'pw', adminToken: 'admin-token' }],
  ] as const)('identifies the admin token as the admin under %s auth', async (_mode, auth) => {
    const response = await whoAmI(auth).request('/me', { headers: { authorization: 'Bearer admin-token' } });
    expect(await response.json()).toEqual({ kind: 'bearer', subject: 'admin', admin: true });
    const wrong = await whoAmI(auth).request('/me', { headers: { authorization: 'Bearer admin-tok' } });
    expect(wrong.status).toBe(401);
  });

  it('accepts basic credentials and identifies the caller by user name', async () => {
    const app = whoAmI({ mode: 'basic', username: 'ada', password: 'pa:ss' });
    const response = await app.request('/me', { headers: { authorization: basic('ada', 'pa:ss') } });
    expect(await response.json()).toEqual({ kind: 'basic', subject: 'ada' });
  });

  it.each([
    ['a wrong password', basic('ada', 'wrong')],
    ['a wrong user', basic('bob', 'pa:ss')],
    ['no colon', `Basic ${Buffer.from('ada').toString('base64')}`],
    ['garbage base64', 'Basic !!!'],
  ])('rejects basic auth with %s', async (_label, header) => {
    const app = whoAmI({ mode: 'basic', username: 'ada', password: 'pa:ss' });
    const response = await app.request('/me', { headers: { authorization: header } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
  });
});
