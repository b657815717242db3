import type { ErrorCode } from '../core/error-codes.js';
import type { SettingParser } from './parsers.js';

/** Every `baton` command that takes flags, as the user types it. */
export const COMMANDS = [
  'run',
  'worker',
  'workers list',
  'runs list',
  'runs show',
  'events',
  'verify-log',
  'serve',
  'exec',
  'receipt',
  'verify',
  'keys show',
  'keys export-trust',
  'pull',
  'handoff',
  'mcp',
  'tasks list',
  'tasks show',
  'tasks cancel',
  'schedules list',
  'schedules trigger',
  'schedules pause',
  'schedules resume',
  'approvals list',
  'approve',
  'deny',
  'answer',
  'init',
] as const;

/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

/** How a setting appears on the command line. */
export interface FlagSpec {
  /** Commander syntax: `--lease-ttl <ms>`, `--json`, `--no-sandbox`. */
  readonly syntax: string;
  /** The commands that take the flag, each with its own description when it differs from the setting's. */
  readonly commands: readonly CommandName[] | Readonly<Partial<Record<CommandName, string>>>;
  /** The flag may be given several times; its values accumulate into a list. */
  readonly repeatable?: boolean;
}

/**
 * One configuration setting: a `BATON_*` variable, a flag, or both (the flag wins over the
 * variable, the variable over the default). The table of them in settings.ts is the only place
 * a setting is defined: the CLI's flags, `loadConfig` and docs/configuration.md all come from it.
 */
export interface Setting<T> {
  /** A `BATON_*` variable, or one of the standard `OTEL_*` variables of OpenTelemetry exporters. */
  readonly env?: `BATON_${string}` | `OTEL_${string}`;
  readonly flag?: FlagSpec;
  /** One line: what the setting decides. */
  readonly description: string;
  /** The value when neither flag nor variable gives one; `undefined` when there is none. */
  readonly default?: T;
  /** How the documentation shows a default that is not a plain value (computed, or none). */
  readonly defaultText?: string;
  /** Parses a raw value (variables, and flags with an argument); absent for switches. */
  readonly parse?: SettingParser<T extends readonly (infer Item)[] ? Item : T>;
  /** Accepted values, listed in the help and the documentation. */
  readonly choices?: readonly string[];
  /** The value is a secret: never echoed in an error, nor shown as a default. */
  readonly secret?: boolean;
  /** The error code of an unusable variable value (default `invalid_config`), kept from before it was configured here. */
  readonly errorCode?: ErrorCode;
}

/**
 * Declares a setting: the identity function that lets TypeScript infer its value type, and
 * whether it always has a value (it has a default) or may be `undefined`.
 */
export function setting<T>(spec: Setting<T> & { readonly default: T }): Setting<T> & { readonly default: T };
export function setting<T>(spec: Setting<T>): Setting<T>;
export function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

/** The value type of a setting: `T`, or `T | undefined` when it has no default. */
export type SettingValue<S> =
  S extends Setting<infer T> ? (undefined extends S['default'] ? T | undefined : T) : never;

/** The commands that take a setting's flag. */
export function flagCommands(flag: FlagSpec): CommandName[] {
  return Array.isArray(flag.commands) ? [...flag.commands] : (Object.keys(flag.commands) as CommandName[]);
}

/** What a setting's flag does in `command`, or undefined when the command does not take it. */
export function flagDescription(spec: Setting<unknown>, command: CommandName): string | undefined {
  const flag = spec.flag;
  if (flag === undefined) return undefined;
  if (Array.isArray(flag.commands)) return flag.commands.includes(command) ? spec.description : undefined;
  return (flag.commands as Partial<Record<CommandName, string>>)[command];
}

/** The default as help and documentation show it; undefined for a switch, an empty list or a secret value. */
export function shownDefault(spec: Setting<unknown>): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.secret) return undefined;
  const value = spec.default;
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : undefined;
  return String(value);
}
