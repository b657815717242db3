import type { ContextKey, ContextReader, SessionContext } from '../core/context-key.js';
import {
  ContextTooLargeError,
  ContextValueError,
  checkContextSize,
  checkContextValue,
  foldContext,
  setEntry,
  toJson,
} from '../core/context-key.js';
import { errorMessage } from '../core/errors.js';
import type { BatonEvent, EventDraft } from '../core/events.js';
import type { ToolOutcome } from '../core/tool.js';

/**
 * A session's context during one turn: rebuilt from the log when the turn starts, and updated
 * only after a tool's writes have committed, so it never holds a write the log does not.
 */
export class ContextState {
  private constructor(private readonly committed: Record<string, unknown>) {}

  /** The context as the log has it (`session.started`, then every `context.updated`). */
  static fromEvents(events: readonly BatonEvent[], initial?: Record<string, unknown>): ContextState {
    return new ContextState(foldContext(events, initial));
  }

  /** Read-only access to the committed context (dynamic instructions). */
  reader(): ContextReader {
    return {
      get: (key: ContextKey<unknown, boolean>) => readValue(key, this.lookup(key.name)),
    } as ContextReader;
  }

  /** One tool call's view: reads see its own staged writes over the committed context. */
  forCall(): ToolCallContext {
    return new ToolCallContext(this);
  }

  /** The committed value of `name`, if the session holds one. */
  lookup(name: string): { value: unknown } | undefined {
    return Object.hasOwn(this.committed, name) ? { value: this.committed[name] } : undefined;
  }

  /** The committed context with `staged` applied (what committing them would leave). */
  withWrites(staged: ReadonlyMap<string, unknown>): Record<string, unknown> {
    const next = { ...this.committed };
    for (const [key, value] of staged) setEntry(next, key, value);
    return next;
  }

  /** Applies writes the log now holds. */
  apply(drafts: readonly EventDraft<'context.updated'>[]): void {
    for (const draft of drafts) setEntry(this.committed, draft.data.key, draft.data.value);
  }
}

/** A tool call's {@link SessionContext}: staged writes, and whether any write was refused. */
export class ToolCallContext implements SessionContext {
  private readonly staged = new Map<string, unknown>();
  private refused: ContextValueError | undefined;

  constructor(private readonly state: ContextState) {}

  get<Value>(key: ContextKey<Value, true>): Value;
  get<Value>(key: ContextKey<Value, boolean>): Value | undefined;
  get<Value>(key: ContextKey<Value, boolean>): Value | undefined {
    return this.guard(() => readValue(key, this.find(key.name)));
  }

  set<Value>(key: ContextKey<Value, boolean>, value: Value): void {
    this.guard(() => {
      let json: unknown;
      try {
        json = toJson(checkContextValue(key, value));
      } catch (error) {
        if (error instanceof ContextValueError) throw error;
        throw new ContextValueError(`context key ${key.name}: the value is not JSON: ${errorMessage(error)}`);
      }
      this.staged.set(key.name, json);
    });
  }

  async ensure<Value>(
    key: ContextKey<Value, boolean>,
    factory: () => Value | Promise<Value>,
  ): Promise<Value> {
    if (this.find(key.name) === undefined) this.set(key, await factory());
    return this.get(key) as Value;
  }

  /**
   * What the call commits: its outcome and one `context.updated` per key written. A refused
   * write makes the call an `invalid_context` error even if the tool caught it; a failed call,
   * or writes that would exceed the size limit, commit no writes.
   */
  settle(outcome: ToolOutcome): { outcome: ToolOutcome; writes: EventDraft<'context.updated'>[] } {
    if (this.refused !== undefined) return { outcome: failed(this.refused), writes: [] };
    if (!outcome.ok || this.staged.size === 0) return { outcome, writes: [] };
    try {
      checkContextSize(this.state.withWrites(this.staged));
    } catch (error) {
      if (error instanceof ContextTooLargeError) return { outcome: failed(error), writes: [] };
      throw error;
    }
    const writes = [...this.staged].map(
      ([key, value]): EventDraft<'context.updated'> => ({ type: 'context.updated', data: { key, value } }),
    );
    return { outcome, writes };
  }

  private find(name: string): { value: unknown } | undefined {
    return this.staged.has(name) ? { value: this.staged.get(name) } : this.state.lookup(name);
  }

  /** Remembers a refused read or write, so the call fails with it even when the tool catches it. */
  private guard<T>(access: () => T): T {
    try {
      return access();
    } catch (error) {
      if (error instanceof ContextValueError) this.refused ??= error;
      throw error;
    }
  }
}

/** A stored value (or the key's default) parsed by the key's schema, as a copy the caller may change. */
function readValue<Value>(
  key: ContextKey<Value, boolean>,
  found: { value: unknown } | undefined,
): Value | undefined {
  const raw = found === undefined ? key.default : found.value;
  return raw === undefined ? undefined : checkContextValue(key, toJson(raw));
}

function failed(error: ContextValueError | ContextTooLargeError): ToolOutcome {
  return { ok: false, output: null, error: { code: error.code, message: error.message } };
}
