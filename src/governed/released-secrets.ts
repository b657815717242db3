import type { Environment } from '../core/environment.js';
import type { ErrorBody } from '../core/errors.js';
import type { RunRecord } from '../store/run-store.js';

/**
 * Fetches the values of the secrets a run names (`input.secrets`) for its sandbox environment:
 * a runner asks its plane. Values live in memory only, and are masked in recorded output.
 */
export type ReleaseSecrets = (run: RunRecord, names: readonly string[]) => Promise<Record<string, string>>;

/**
 * The values of the secrets `names` for `run`'s sandbox: from `release` (a runner asks its
 * plane), else from the executing worker's own environment (a runtime with no plane). A name
 * without a value is an error: a run never starts without a secret it was promised.
 */
export async function releaseRunSecrets(
  run: RunRecord,
  names: readonly string[],
  release: ReleaseSecrets | undefined,
  env: Environment,
): Promise<{ secrets: Record<string, string> } | { error: ErrorBody }> {
  if (names.length === 0) return { secrets: {} };
  const secrets = release ? await release(run, names) : fromEnvironment(names, env);
  const missing = names.filter((name) => secrets[name] === undefined);
  if (missing.length === 0) return { secrets };
  return {
    error: {
      code: 'secrets_unavailable',
      message: `no value was released for ${missing.join(', ')} to this ${release ? 'runner' : 'worker'}`,
    },
  };
}

function fromEnvironment(names: readonly string[], env: Environment): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') secrets[name] = value;
  }
  return secrets;
}

/**
 * `value` (JSON data) with `mask` applied to every string in it, keys included. Masking its
 * JSON text instead would miss a value JSON escapes (one with a newline or a quote, as a PEM
 * key has) and could break the JSON where a short value matches its syntax.
 */
export function maskStrings<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskStrings(item, mask)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [mask(key), maskStrings(item, mask)]),
    ) as T;
  return value;
}

/** Replaces every released value in `text` with `[secret NAME]`, wherever the command echoed it. */
export function secretMask(secrets: Readonly<Record<string, string>>): (text: string) => string {
  const entries = Object.entries(secrets).filter(([, value]) => value.length > 0);
  return (text) =>
    entries.reduce((masked, [name, value]) => masked.split(value).join(`[secret ${name}]`), text);
}
