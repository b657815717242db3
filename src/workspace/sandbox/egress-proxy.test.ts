import { describe, expect, it } from 'vitest';
import { isHostAllowed, parseAllowHosts } from './egress-proxy.js';

describe('allowHosts matching', () => {
  const hosts = parseAllowHosts(['Registry.NPMjs.org', 'api.example.com:443', '*.github.com']);

  it('matches a bare host on any port, case-insensitively', () => {
    expect(isHostAllowed(hosts, 'registry.npmjs.org', 443)).toBe(true);
    expect(isHostAllowed(hosts, 'REGISTRY.npmjs.org.', 80)).toBe(true);
  });

  it('restricts a host:port entry to that port', () => {
    expect(isHostAllowed(hosts, 'api.example.com', 443)).toBe(true);
    expect(isHostAllowed(hosts, 'api.example.com', 80)).toBe(false);
  });

  it('matches subdomains of a wildcard entry but not the bare domain or look-alikes', () => {
    expect(isHostAllowed(hosts, 'codeload.github.com', 443)).toBe(true);
    expect(isHostAllowed(hosts, 'github.com', 443)).toBe(false);
    expect(isHostAllowed(hosts, 'evilgithub.com', 443)).toBe(false);
  });

  it('refuses every other host, including suffix tricks', () => {
    expect(isHostAllowed(hosts, 'registry.npmjs.org.evil.com', 443)).toBe(false);
    expect(isHostAllowed(hosts, '127.0.0.1', 443)).toBe(false);
  });

  it('rejects entries that are URLs, paths or empty', () => {
    for (const entry of ['https://example.com', 'example.com/path', '', '*', 'a b']) {
      expect(() => parseAllowHosts([entry])).toThrow(/not a host name/);
    }
  });
});
