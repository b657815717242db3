import { BatonError, UserError } from './errors.js';
import type { BatonEvent } from './events.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { describeIssue } from './standard-schema.js';

/**
 * The most a session's context may hold: 64 KiB of JSON (UTF-8), initial context and every
 * key written since together. It travels into every run start and every session view.
 */
export const MAX_CONTEXT_BYTES = 64 * 1024;

/** A typed key into a session's durable context, made by {@link contextKey}. */
export interface ContextKey<Value, HasDefault extends boolean = boolean> {
  readonly name: string;
  /** Validates every write (and a value read back); values are JSON, so the schema should describe JSON. */
  readonly schema: StandardSchemaV1<unknown, Value>;
  /** What `get` returns while the session holds no value for the key. */
  readonly default: HasDefault extends true ? Value : undefined;
}

/** Reads a session's context (tools, and dynamic instructions). */
export interface ContextReader {
  /** The key's value (validated by its schema), or its default, or `undefined`. */
  get<Value>(key: ContextKey<Value, true>): Value;
  get<Value>(key: ContextKey<Value, boolean>): Value | undefined;
}

/**
 * A tool's view of the session's context. Writes are buffered and committed with the tool's
 * `tool.result` (as `context.updated`), or not at all when the tool fails or is interrupted.
 */
export interface SessionContext extends ContextReader {
  /** Validates `value` with the key's schema (throws `invalid_context`) and stages it. */
  set<Value>(key: ContextKey<Value, boolean>, value: Value): void;
  /** The key's value if the session holds one; else `factory()`'s, which is staged like `set`. */
  ensure<Value>(key: ContextKey<Value, boolean>, factory: () => Value | Promise<Value>): Promise<Value>;
}

const KEY_NAME = /^[a-zA-Z0-9_.:-]{1,128}$/;

/** A value that does not fit its key's schema, or a schema that cannot check it synchronously. */
export class ContextValueError extends BatonError {
  constructor(message: string) {
    super('invalid_context', message);
  }
}

/** A context larger than {@link MAX_CONTEXT_BYTES}; nothing of it was committed. */
export class ContextTooLargeError extends BatonError {
  readonly limitBytes: number;

  constructor(bytes: number, limitBytes: number = MAX_CONTEXT_BYTES) {
    super('context_too_large', `the session context would be ${bytes} bytes; the limit is ${limitBytes}`);
    this.limitBytes = limitBytes;
  }
}

/**
 * Defines a typed context key: `contextKey('cart', z.object({ items: z.array(z.string()) }),
 * { default: { items: [] } })`. The name is the key in the session's JSON context.
 */
export function contextKey<Value>(
  name: string,
  schema: StandardSchemaV1<unknown, Value>,
  options: { default: Value },
): ContextKey<Value, true>;
export function contextKey<Value>(
  name: string,
  schema: StandardSchemaV1<unknown, Value>,
  options?: { default?: undefined },
): ContextKey<Value, false>;
export function contextKey<Value>(
  name: string,
  schema: StandardSchemaV1<unknown, Value>,
  options: { default?: Value } = {},
): ContextKey<Value, boolean> {
  if (!KEY_NAME.test(name)) {
    throw new UserError('invalid_context', `context key name ${JSON.stringify(name)} must match ${KEY_NAME}`);
  }
  const key: ContextKey<Value, boolean> = { name, schema, default: undefined };
  if (options.default === undefined) return Object.freeze(key);
  // A default that its own schema refuses would fail every tool that reads it: refuse it now.
  return Object.freeze({ ...key, default: checkContextValue(key, toJson(options.default)) });
}

/**
 * Validates a JSON value with the key's schema and returns the parsed value. Context access is
 * synchronous (`get`, `set`), so a schema that validates asynchronously is refused.
 */
export function checkContextValue<Value>(key: ContextKey<Value, boolean>, value: unknown): Value {
  const result = key.schema['~standard'].validate(value);
  if (result instanceof Promise) {
    throw new ContextValueError(`context key ${key.name}: its schema must validate synchronously`);
  }
  if (result.issues !== undefined) {
    const problems = result.issues.map((issue) => describeIssue(issue)).join('; ');
    throw new ContextValueError(`invalid value for context key ${key.name}: ${problems}`);
  }
  return result.value;
}

/** A value as the log stores it: JSON only (`undefined` → `null`). */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

/** The serialized size of a context; throws {@link ContextTooLargeError} above the limit. */
export function checkContextSize(context: Record<string, unknown>, limitBytes = MAX_CONTEXT_BYTES): void {
  const bytes = Buffer.byteLength(JSON.stringify(context), 'utf8');
  if (bytes > limitBytes) throw new ContextTooLargeError(bytes, limitBytes);
}

/**
 * A session's current context, rebuilt from its log: the initial context of `session.started`,
 * then every `context.updated` in order (the log is the only source of truth).
 */
export function foldContext(
  events: Iterable<BatonEvent>,
  initial: Record<string, unknown> = {},
): Record<string, unknown> {
  let context: Record<string, unknown> = { ...initial };
  for (const event of events) {
    if (event.type === 'session.started' && event.data.context !== undefined)
      context = { ...event.data.context };
    else if (event.type === 'context.updated') setEntry(context, event.data.key, event.data.value);
  }
  return context;
}

/** Sets an own property: a key named `__proto__` is data, never the object's prototype. */
export function setEntry(context: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(context, key, { value, enumerable: true, writable: true, configurable: true });
}
