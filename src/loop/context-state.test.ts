import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ContextValueError, contextKey, foldContext } from '../core/context-key.js';
import type { BatonEvent } from '../core/events.js';
import { ContextState } from './context-state.js';
import { MemoryJournal } from './memory-journal.js';

const cart = contextKey('cart', z.object({ items: z.array(z.string()) }), { default: { items: [] } });
const count = contextKey('count', z.number().int());

function logOf(context?: Record<string, unknown>): readonly BatonEvent[] {
  const journal = new MemoryJournal();
  journal.record({ type: 'session.started', data: { agent: 'a', ...(context && { context }) } });
  journal.record({ type: 'context.updated', data: { key: 'count', value: 2 } });
  return journal.events;
}

describe('context keys', () => {
  it('refuses bad names, defaults the schema refuses, and schemas that validate asynchronously', async () => {
    expect(() => contextKey('no spaces', z.string())).toThrow(/must match/);
    expect(() => contextKey('n', z.number(), { default: 'one' as unknown as number })).toThrow(
      ContextValueError,
    );
    const slow = contextKey(
      'slow',
      z.string().refine(async () => true),
    );
    const call = ContextState.fromEvents([]).forCall();
    expect(() => call.set(slow, 'x')).toThrow(/synchronously/);
    expect(call.settle({ ok: true, output: 1 }).outcome).toMatchObject({
      error: { code: 'invalid_context' },
    });
  });
});

describe('ContextState', () => {
  it('folds the initial context and every update from the log', () => {
    expect(foldContext(logOf({ user: 'ann' }))).toEqual({ user: 'ann', count: 2 });
    const call = ContextState.fromEvents(logOf()).forCall();
    expect(call.get(count)).toBe(2);
    expect(call.get(cart)).toEqual({ items: [] });
  });

  it('returns copies, shows a call its own writes, and stages them until they commit', async () => {
    const state = ContextState.fromEvents(logOf());
    const call = state.forCall();
    call.get(cart).items.push('mutated');
    expect(call.get(cart)).toEqual({ items: [] });
    call.set(cart, { items: ['a'] });
    expect(call.get(cart)).toEqual({ items: ['a'] });
    expect(state.forCall().get(cart)).toEqual({ items: [] });
    let made = 0;
    const factory = () => {
      made += 1;
      return 7;
    };
    expect(await call.ensure(count, factory)).toBe(2);
    expect(made).toBe(0);
    const { writes } = call.settle({ ok: true, output: null });
    expect(writes).toEqual([{ type: 'context.updated', data: { key: 'cart', value: { items: ['a'] } } }]);
    state.apply(writes);
    expect(state.forCall().get(cart)).toEqual({ items: ['a'] });
  });

  it('drops the writes of a failed call', () => {
    const call = ContextState.fromEvents([]).forCall();
    call.set(count, 1);
    const failed = {
      ok: false as const,
      output: null,
      error: { code: 'tool_error' as const, message: 'boom' },
    };
    expect(call.settle(failed)).toEqual({ outcome: failed, writes: [] });
  });

  it('keeps a key named __proto__ as data', () => {
    const proto = contextKey('__proto__', z.object({ polluted: z.boolean() }));
    const state = ContextState.fromEvents([]);
    const call = state.forCall();
    call.set(proto, { polluted: true });
    state.apply(call.settle({ ok: true, output: null }).writes);
    expect(state.forCall().get(proto)).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
