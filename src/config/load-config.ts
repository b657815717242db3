import { dirname, resolve } from 'node:path';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import type { AuthOptions } from '../server/auth.js';
import { InvalidSettingError } from './parsers.js';
import type { Setting, SettingValue } from './setting.js';
import { SETTINGS, type SettingName } from './settings.js';

/** The value of every setting of {@link SETTINGS}, by name. */
export type SettingValues = { readonly [Name in SettingName]: SettingValue<(typeof SETTINGS)[Name]> };

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'default';

/** The one validated configuration of a `baton` command: every setting, and what follows from them. */
export interface BatonConfig extends Omit<SettingValues, 'home'> {
  /** The Baton home: `BATON_HOME`, else the directory of a SQLite `--db`, else `.baton`; absolute. */
  readonly home: string;
  /** The credentials of the `--auth` mode, from `BATON_API_TOKEN` or `BATON_BASIC_USER` / `BATON_BASIC_PASSWORD`. */
  readonly authOptions: AuthOptions;
  /**
   * The environment the command was started with, passed down to the library: the variables
   * users' own definitions name (model API keys, what sandboxes and git see of the host) are
   * looked up in it, never in the process's own environment.
   */
  readonly env: Environment;
  /** Where each setting's value came from. */
  readonly sources: Readonly<Record<SettingName, SettingSource>>;
}

/** What {@link loadConfig} reads: the environment and the command's parsed flags (already validated by the CLI). */
export interface LoadConfigInput {
  env: Environment;
  /** Flags by setting name; `undefined` for a flag not given. */
  flags?: Readonly<Record<string, unknown>>;
}

/**
 * Builds the configuration of one command from its flags and the environment: a flag wins over
 * its `BATON_*` variable, the variable over the default (docs/configuration.md). An unusable
 * variable, or a secret an `--auth` mode needs that is missing, is one `UserError` naming the
 * variable (a usage error: exit 2). Empty variables count as unset.
 */
export function loadConfig(input: LoadConfigInput): BatonConfig {
  const { env, flags = {} } = input;
  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const flagged = spec.flag !== undefined ? flags[name] : undefined;
    const raw = spec.env !== undefined ? env[spec.env] : undefined;
    if (flagged !== undefined && !isUnsetList(flagged, spec)) {
      values[name] = flagged;
      sources[name] = 'flag';
    } else if (spec.env !== undefined && raw !== undefined && raw.trim() !== '') {
      values[name] = parseVariable(spec.env, raw, spec);
      sources[name] = 'env';
    } else {
      values[name] = flagged ?? spec.default;
      sources[name] = 'default';
    }
  }
  const settings = values as unknown as SettingValues;
  return {
    ...settings,
    home: batonHome(settings.home, settings.db),
    authOptions: authOptions(settings),
    env,
    sources: sources as Record<SettingName, SettingSource>,
  };
}

// A repeatable flag given no value is an empty list; only then does its variable or default apply.
function isUnsetList(value: unknown, spec: Setting<unknown>): boolean {
  return spec.flag?.repeatable === true && Array.isArray(value) && value.length === 0;
}

function parseVariable(name: string, raw: string, spec: Setting<unknown>): unknown {
  if (spec.parse === undefined) return raw;
  try {
    return spec.parse(raw);
  } catch (error) {
    if (!(error instanceof InvalidSettingError)) throw error;
    const got = spec.secret ? '' : ` (got ${JSON.stringify(raw.slice(0, 200))})`;
    throw new UserError(spec.errorCode ?? 'invalid_config', `${name} must be ${error.expected}${got}`);
  }
}

function batonHome(home: string | undefined, db: string): string {
  if (home !== undefined) return resolve(home);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(db) && db !== ':memory:' && db !== 'memory:')
    return dirname(resolve(db));
  return resolve('.baton');
}

function authOptions(settings: SettingValues): AuthOptions {
  if (settings.auth === 'none') return { mode: 'none' };
  const admin = settings.adminToken === undefined ? {} : { adminToken: settings.adminToken };
  if (settings.auth === 'bearer') {
    const token = required(settings.apiToken, 'BATON_API_TOKEN');
    // The same secret for both would make every caller an admin.
    if (token === settings.adminToken)
      throw new UserError('invalid_config', 'BATON_ADMIN_TOKEN must differ from BATON_API_TOKEN');
    return { mode: 'bearer', token, ...admin };
  }
  return {
    mode: 'basic',
    username: required(settings.basicUser, 'BATON_BASIC_USER'),
    password: required(settings.basicPassword, 'BATON_BASIC_PASSWORD'),
    ...admin,
  };
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new UserError('missing_secret', `${name} must be set for this --auth mode`);
  return value;
}
