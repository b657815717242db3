import canonicalizeModule from 'canonicalize';
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.js';
import { sealEvent, verifyChain } from '../src/core/events.js';
import { canonicalJson, canonicalJsonOfParsed, sha256Hex } from '../src/core/hash.js';
import { sealDrafts, sealDraftsWithJson } from '../src/store/seal-drafts.js';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** JSON values that exercise RFC 8785's corners: key order by UTF-16 code unit, numbers, escapes. */
const VALUES: unknown[] = [
  null,
  true,
  0,
  -0,
  1e21,
  1e-7,
  0.1 + 0.2,
  -123.456e-300,
  Number.MAX_SAFE_INTEGER,
  '',
  'plain',
  'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 emoji 😀',
  [],
  {},
  [[], [{}], [null, 1, 'a']],
  {
    b: 1,
    a: 2,
    10: 'ten',
    2: 'two',
    '': 'empty',
    Z: 0,
    é: 1,
    '😀': 2,
    '\u20ac': 3,
    ab: { y: [3, 2, 1], x: {} },
  },
  {
    __proto__key: 1,
    toJSON: 'not a function',
    constructor: 'x',
    nested: { deeper: { deepest: [{ k: 'v' }] } },
  },
  {
    text: 'x'.repeat(1000),
    list: Array.from({ length: 50 }, (_, index) => ({ index, odd: index % 2 === 1 })),
  },
];

describe('canonical JSON of parsed values', () => {
  it('is the canonicalize package’s text, byte for byte', () => {
    for (const value of VALUES) {
      const parsed: unknown = JSON.parse(JSON.stringify(value));
      expect(canonicalJsonOfParsed(parsed)).toBe(canonicalize(parsed));
      expect(canonicalJsonOfParsed(parsed)).toBe(canonicalJson(parsed));
    }
  });
});

describe('sha256Hex', () => {
  it('is SHA-256 in hex, of a string as UTF-8 and of bytes alike', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abc);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
    expect(sha256Hex('é')).toBe(sha256Hex(new Uint8Array([0xc3, 0xa9])));
  });
});

describe('sealDrafts', () => {
  const fields = { sessionId: 'ses_"1', runId: 'run_é', ts: '2026-01-01T00:00:00.000Z' };
  const drafts = VALUES.map(
    (value) => ({ type: 'context.updated', data: { key: 'k', value } }) as unknown as EventDraft,
  );

  it('gives the hashes sealEvent gives, so stored chains verify', () => {
    for (const head of [undefined, { seq: 41, hash: 'f'.repeat(64) }]) {
      const sealed = sealDrafts(head, drafts, fields);
      let previous = head;
      for (const [index, event] of sealed.entries()) {
        const data = JSON.parse(JSON.stringify(drafts[index]?.data)) as EventDraft['data'];
        const expected = sealEvent(previous, { ...fields, type: 'context.updated', data } as Parameters<
          typeof sealEvent
        >[1]);
        expect(event).toEqual(expected);
        expect(Object.keys(event)).toEqual(Object.keys(expected));
        previous = event;
      }
      if (head === undefined) expect(verifyChain(sealed)).toMatchObject({ ok: true, count: drafts.length });
      else expect(verifyChain(sealed, head)).toMatchObject({ ok: true });
    }
  });

  it('hands back each event’s data as the JSON it was normalised through', () => {
    const { events, dataJson } = sealDraftsWithJson(undefined, drafts, fields);
    expect(dataJson).toHaveLength(events.length);
    for (const [index, event] of events.entries())
      expect(JSON.parse(dataJson[index] as string)).toEqual(event.data);
  });

  it('normalises data through JSON: undefined fields go, dates become strings', () => {
    const [event] = sealDrafts(
      undefined,
      [{ type: 'context.updated', data: { key: 'k', value: { at: new Date(0), gone: undefined } } }],
      fields,
    );
    expect(event?.data).toEqual({ key: 'k', value: { at: '1970-01-01T00:00:00.000Z' } });
  });
});
