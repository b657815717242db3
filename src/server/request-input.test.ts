import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { parseHeader, parseJsonBody, parseQuery, pathId } from './request-input.js';
import { lastEventId, listSessionsQuery, startSessionBody } from './schemas.js';

const body = (text: string) => ({ text: async () => text });

describe('parseJsonBody', () => {
  it('refuses malformed JSON as invalid_request', async () => {
    await expect(parseJsonBody(body('{"agent":'), startSessionBody)).rejects.toThrow(ValidationError);
  });

  it('names the offending field of a schema violation', async () => {
    const error = await parseJsonBody(body('{"agent":"a","message":5}'), startSessionBody).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      field: 'message',
      message: expect.stringContaining('invalid field message'),
    });
  });

  it('refuses an idempotency key with a NUL, which no text column can hold', async () => {
    const error = await parseJsonBody(
      body('{"agent":"a","message":"m","idempotencyKey":"key\\u0000"}'),
      startSessionBody,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ field: 'idempotencyKey', message: expect.stringContaining('NUL') });
  });
});

describe('parseQuery and parseHeader', () => {
  it('names the query parameter or header that is wrong', () => {
    expect(() => parseQuery({ limit: 'abc' }, listSessionsQuery)).toThrow(/query parameter limit/);
    expect(() => parseHeader('Last-Event-ID', '-1', lastEventId)).toThrow(/header Last-Event-ID/);
    expect(parseQuery({ limit: '7' }, listSessionsQuery)).toEqual({ limit: 7 });
  });
});

describe('pathId', () => {
  it('passes ordinary ids through', () => {
    expect(pathId('session', 'ses_0mwqg8dfhd0147a1bc7ced9fe')).toBe('ses_0mwqg8dfhd0147a1bc7ced9fe');
  });

  it('answers not_found for ids no store can hold, without asking the store', () => {
    for (const id of ['a\u0000b', 'line\nbreak', '\ud800', 'x'.repeat(257)]) {
      expect(() => pathId('run', id)).toThrow(NotFoundError);
    }
  });
});
