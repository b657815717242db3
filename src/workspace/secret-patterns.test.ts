import { describe, expect, it } from 'vitest';
import { globMatcher, secretMatcher } from './secret-patterns.js';

describe('secretMatcher', () => {
  const isSecret = secretMatcher(['*.secret']);

  it('matches secret files at any depth', () => {
    for (const path of [
      '.env',
      'app/.env.local',
      'certs/server.pem',
      'tls.key',
      'home/.ssh/id_rsa',
      'id_ed25519.pub',
      '.npmrc',
      'pkg/.netrc',
      'gcp/service-account-prod.json',
      'aws-credentials.json',
      'home/.aws/credentials',
      'tokens.secret',
    ]) {
      expect(isSecret(path), path).toBe(true);
    }
  });

  it('leaves ordinary files alone', () => {
    for (const path of ['src/env.ts', 'README.md', 'keys.ts', 'package.json', 'docs/credentials.md']) {
      expect(isSecret(path), path).toBe(false);
    }
  });
});

describe('globMatcher', () => {
  it('matches whole relative paths, dotfiles included, and nothing without patterns', () => {
    expect(globMatcher(['notes/**'])('notes/a/b.md')).toBe(true);
    expect(globMatcher(['*.md'])('notes/b.md')).toBe(false);
    expect(globMatcher(['**'])('.hidden')).toBe(true);
    expect(globMatcher([])('anything')).toBe(false);
  });
});
