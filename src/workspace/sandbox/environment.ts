import type { Environment } from '../../core/environment.js';

/** Variables copied from Baton's own environment into every sandbox; nothing else passes. */
export const PASSED_VARIABLES: readonly string[] = ['PATH', 'LANG', 'LC_ALL', 'TERM', 'TZ'];

const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The allowlisted variables of Baton's own environment, `hostEnv` (PATH with a fallback).
 * Secrets in it (API keys, tokens) never pass unless the caller names them in the policy's `env`.
 */
export function passedEnvironment(hostEnv: Environment): Record<string, string> {
  const env: Record<string, string> = { PATH: FALLBACK_PATH };
  for (const name of PASSED_VARIABLES) {
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The environment of one sandboxed command: the policy's, its private HOME and TMPDIR, then the command's own. */
export function commandEnvironment(
  policyEnv: Record<string, string>,
  home: string,
  tmpDir: string,
  explicit: Record<string, string> = {},
): Record<string, string> {
  return { ...policyEnv, HOME: home, TMPDIR: tmpDir, ...explicit };
}
