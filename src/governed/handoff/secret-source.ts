import type { Environment } from '../../core/environment.js';

/** One secret the plane can release: its value and the pools it may go to (absent: any pool). */
export interface PlaneSecret {
  value: string;
  pools?: readonly string[];
}

/**
 * Where the plane's secrets come from (`baton serve --secrets-file`, `--secret-env`): the only
 * place their values exist. Hand-offs name secrets; the plane looks them up here.
 */
export interface SecretSource {
  /** The secret's value if it exists and may be released to `pool`, else undefined. */
  release(name: string, pool: string): string | undefined;
}

/** No secrets: every requested secret is unavailable. */
export const NO_SECRETS: SecretSource = { release: () => undefined };

/**
 * A secret source over a table (a secrets file) and names looked up in an environment (the
 * plane's own, for `--secret-env NAME`); the table wins when both hold a name.
 */
export function secretSource(options: {
  secrets?: Readonly<Record<string, PlaneSecret>>;
  envNames?: readonly string[];
  env?: Environment;
}): SecretSource {
  const table = options.secrets ?? {};
  const envNames = new Set(options.envNames ?? []);
  return {
    release(name, pool) {
      if (Object.hasOwn(table, name)) {
        const secret = table[name] as PlaneSecret;
        return secret.pools === undefined || secret.pools.includes(pool) ? secret.value : undefined;
      }
      const value = envNames.has(name) ? options.env?.[name] : undefined;
      return value === undefined || value === '' ? undefined : value;
    },
  };
}
