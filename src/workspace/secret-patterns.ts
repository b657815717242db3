import picomatch from 'picomatch';

/**
 * Files that are never captured into a workspace, whatever the allowlist says. Patterns
 * without a slash match a file's name at any depth; documented in docs/security.md.
 */
export const DEFAULT_SECRET_PATTERNS: readonly string[] = Object.freeze([
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.npmrc',
  '.yarnrc.yml',
  '.netrc',
  '_netrc',
  '.pypirc',
  '.pgpass',
  '.htpasswd',
  '.git-credentials',
  '.dockercfg',
  'credentials.json',
  '*credentials*.json',
  'client_secret*.json',
  'service-account*.json',
  '**/.aws/credentials',
  '**/.docker/config.json',
  '**/.ssh/**',
  '**/.gnupg/**',
]);

/** A predicate telling whether a repository-relative path matches a secret pattern. */
export type SecretMatcher = (path: string) => boolean;

/** Builds the matcher for the default patterns plus `extra` ones (same syntax). */
export function secretMatcher(extra: readonly string[] = []): SecretMatcher {
  const patterns = [...DEFAULT_SECRET_PATTERNS, ...extra];
  // picomatch's `basename` option breaks patterns that contain a slash, so the two kinds are
  // compiled apart: names match at any depth, paths match whole.
  const byName = picomatch(
    patterns.filter((pattern) => !pattern.includes('/')),
    { dot: true, basename: true },
  );
  const byPath = globMatcher(patterns.filter((pattern) => pattern.includes('/')));
  return (path) => byName(path) || byPath(path);
}

/** Builds a matcher for allowlist globs; patterns match whole relative paths, dotfiles included. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  return picomatch([...patterns], { dot: true });
}
