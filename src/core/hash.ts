import * as crypto from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// The package is CommonJS (`module.exports = serialize`) but its typings declare an ES default
// export, so under NodeNext the callable is the module object itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * Node's one-shot `crypto.hash` (20.12 and later), about twice as fast as a `Hash` object for
 * the short inputs every sealed event hashes; undefined on older Node 20 releases.
 */
const oneShot = (
  crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }
).hash;

/** Hex sha256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** RFC 8785 canonical JSON; the only serialisation that hashes and signatures are computed over. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized to JSON');
  return text;
}

/** sha256 of the canonical JSON of a value. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * {@link canonicalJson} of a value that came out of `JSON.parse` (plain objects, arrays, strings,
 * finite numbers, booleans and null: no `toJSON`, no `undefined`, no NaN), without the general
 * serialiser's per-key closures and string rebuilding. Same text, byte for byte; sealing an event
 * hashes through it once per event, on every commit's path.
 */
export function canonicalJsonOfParsed(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) text += ',';
      text += canonicalJsonOfParsed(value[index]);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // The default sort compares UTF-16 code units, as RFC 8785 orders keys.
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    if (index > 0) text += ',';
    text += `${quotedKey(key)}:${canonicalJsonOfParsed(record[key])}`;
  }
  return `${text}}`;
}

/** Most events reuse a handful of keys; quoting each once saves a stringify per key per event. */
const quotedKeys = new Map<string, string>();
/** Keys come from tool inputs and outputs too, so the cache stops growing at this size. */
const MAX_QUOTED_KEYS = 4_096;
/** ...and keeps only short keys: a tool's output keyed by whole documents is not pinned in memory. */
const MAX_QUOTED_KEY_LENGTH = 64;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS && key.length <= MAX_QUOTED_KEY_LENGTH) quotedKeys.set(key, quoted);
  }
  return quoted;
}
