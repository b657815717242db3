/** The deepest nesting a JSON body may have (`{"a":1}` is depth 1); deeper is `400 too_deep`. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text nests objects and arrays deeper than `maxDepth`. A single pass over
 * the bytes, before anything parses or walks the value: copying, hashing and schema checks all
 * recurse, and 10 000 levels would overflow their stack. UTF-8 never encodes a non-ASCII
 * character with these ASCII bytes, so no decoding is needed; invalid JSON is left to the parser.
 */
export function exceedsJsonDepth(bytes: Uint8Array, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const byte of bytes) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return false;
}

/** NUL, or a UTF-16 surrogate without its other half. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this must find.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True for text every store keeps as it is. PostgreSQL refuses NUL in `text` and `jsonb`, and an
 * unpaired surrogate has no UTF-8 form: PostgreSQL refuses it in `jsonb` and both drivers would
 * silently store U+FFFD instead, so the event hash would no longer match what was stored.
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The text with every character {@link isStorableText} refuses replaced by U+FFFD, for messages. */
export function replaceUnstorable(text: string): string {
  return text.replace(new RegExp(UNSTORABLE.source, 'g'), '\uFFFD');
}

/**
 * The path (`context.notes.0`, `''` for the value itself) of the first string or object key in a
 * JSON value that no store can hold, or `undefined` when there is none. Iterative, so a deep
 * value cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return path;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (!isStorableText(key)) return childPath;
        pending.push([child, childPath]);
      }
    }
  }
  return undefined;
}
