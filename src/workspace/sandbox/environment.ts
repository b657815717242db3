/** Variables copied from Baton's own environment into every sandbox; nothing else passes. */
export const PASSED_VARIABLES: readonly string[] = ['PATH', 'LANG', 'LC_ALL', 'TERM', 'TZ'];

const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment of a sandboxed command: the allowlisted variables, `HOME` set to the
 * workspace, `TMPDIR=/tmp`, then the caller's explicit `env`. Secrets in Baton's own
 * environment (API keys, tokens) never pass unless the caller names them.
 */
export function scrubbedEnvironment(
  workspace: string,
  explicit: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = { PATH: FALLBACK_PATH };
  for (const name of PASSED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, HOME: workspace, TMPDIR: '/tmp', ...explicit };
}
