import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllowedHost } from '../server/host-guard.js';
import { parseOrigin } from '../server/origin-guard.js';

/**
 * Why a raw setting was refused: what was expected, in words ("an integer >= 100"). The CLI
 * turns it into a usage error naming the flag or the variable it came from.
 */
export class InvalidSettingError extends Error {
  constructor(readonly expected: string) {
    super(`expected ${expected}`);
    this.name = 'InvalidSettingError';
  }
}

/** Parses one raw value (a flag's argument or a variable's value) into a setting's type. */
export type SettingParser<T> = (raw: string) => T;

/** A finite number at or above 0 (a budget in USD). */
export const nonNegativeNumber: SettingParser<number> = (raw) => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidSettingError('a number >= 0');
  }
  return value;
};

/** An integer >= `min` (decimal digits only). */
export function integerAtLeast(min: number, max = Number.MAX_SAFE_INTEGER): SettingParser<number> {
  return (raw) => {
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidSettingError(
        max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`,
      );
    }
    return parsed;
  };
}

/** A TCP port, 0 (a free one) to 65535. */
export const port: SettingParser<number> = (raw) => {
  try {
    return integerAtLeast(0, 65_535)(raw);
  } catch {
    throw new InvalidSettingError('a port between 0 and 65535');
  }
};

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte count: an integer, optionally with a binary unit (`512M`, `2g`, `64k`). */
export const byteSize: SettingParser<number> = (raw) => {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw.trim());
  const bytes = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidSettingError('a byte count such as 512M or 2G');
  return bytes;
};

/** Any text but the empty one. */
export const text: SettingParser<string> = (raw) => {
  if (raw.trim() === '') throw new InvalidSettingError('a non-empty value');
  return raw;
};

/** `true`/`false` (also `1`/`0`, `yes`/`no`), without regard to case. */
export const boolean: SettingParser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new InvalidSettingError('true or false');
};

/** `key=value` pairs separated by commas (the `OTEL_EXPORTER_OTLP_HEADERS` syntax), values URL-decoded. */
export const keyValueList: SettingParser<Record<string, string>> = (raw) => {
  const pairs: Record<string, string> = {};
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    if (at <= 0) throw new InvalidSettingError('key=value pairs separated by commas');
    try {
      pairs[item.slice(0, at).trim()] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw new InvalidSettingError('URL-encoded values');
    }
  }
  return pairs;
};

/** An absolute `http:` or `https:` URL. */
export const httpUrl: SettingParser<string> = (raw) => {
  const url = URL.canParse(raw.trim()) ? new URL(raw.trim()) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw new InvalidSettingError('an http(s) URL');
  return raw.trim();
};

/** One of `choices`, matched without regard to case; the canonical spelling is returned. */
export function oneOf<const T extends string>(choices: readonly T[]): SettingParser<T> {
  return (raw) => {
    const found = choices.find((choice) => choice.toLowerCase() === raw.trim().toLowerCase());
    if (found === undefined) throw new InvalidSettingError(`one of ${choices.join(', ')}`);
    return found;
  };
}

/** An existing directory, as an absolute path. */
export const directory: SettingParser<string> = (raw) => {
  if (!statSync(raw, { throwIfNoEntry: false })?.isDirectory())
    throw new InvalidSettingError(`a directory (${raw} is not one)`);
  return resolve(raw);
};

/** A host name, or `name:port`, this server also answers for (`--allowed-host`). */
export const allowedHost: SettingParser<string> = (raw) => {
  if (parseAllowedHost(raw) === undefined) throw new InvalidSettingError('a host name, or name:port');
  return raw;
};

/** A web origin such as `https://app.example` (`--cors-origin`), normalised. */
export const origin: SettingParser<string> = (raw) => {
  const parsed = parseOrigin(raw);
  if (parsed === undefined) throw new InvalidSettingError('an origin such as https://app.example');
  return parsed;
};
