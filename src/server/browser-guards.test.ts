import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { isLoopbackHost, parseAllowedHost, refuseForeignHosts } from './host-guard.js';
import { parseOrigin, refuseForeignOrigins } from './origin-guard.js';

describe('isLoopbackHost', () => {
  it('knows localhost, 127.0.0.0/8 and ::1', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'localhost.example', '128.0.0.1'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('parseAllowedHost and parseOrigin', () => {
  it('reads host names with an optional port, and refuses what is not one', () => {
    expect(parseAllowedHost('Baton.Example.com')).toEqual({ hostname: 'baton.example.com', port: undefined });
    expect(parseAllowedHost('[fd00::1]:7070')).toEqual({ hostname: '[fd00::1]', port: 7070 });
    for (const bad of ['', 'a b', 'host/path', 'user@host', 'host:99999', 'http://host']) {
      expect(parseAllowedHost(bad), bad).toBeUndefined();
    }
  });

  it('reads origins and refuses paths, credentials and other schemes', () => {
    expect(parseOrigin('https://app.example/')).toBe('https://app.example');
    expect(parseOrigin('http://localhost:3000')).toBe('http://localhost:3000');
    for (const bad of [
      'app.example',
      'https://app.example/x',
      'https://u:p@app.example',
      'file:///x',
      'null',
    ]) {
      expect(parseOrigin(bad), bad).toBeUndefined();
    }
  });

  it('refuses bad entries given to the middlewares as a UserError', () => {
    expect(() => refuseForeignHosts({ host: '127.0.0.1', authMode: 'none', allowedHosts: ['a b'] })).toThrow(
      UserError,
    );
    expect(() => refuseForeignOrigins(['app.example'])).toThrow(UserError);
  });
});
