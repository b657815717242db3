import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidTokenError,
  LeaseLostError,
  NotFoundError,
  UserError,
  ValidationError,
} from '../core/errors.js';
import { PostgresStoreError } from '../store/postgres/errors.js';
import { errorResponse, statusForError } from './error-response.js';
import {
  HostRefusedError,
  MalformedRequestError,
  MethodNotAllowedError,
  OriginRefusedError,
  PayloadTooLargeError,
  RequestAbortedError,
  RouteNotFoundError,
  TooDeepError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './http-errors.js';

describe('statusForError', () => {
  it.each([
    [new ValidationError('bad', 'agent'), 400],
    [new UserError('invalid_agent', 'bad'), 400],
    [new UnauthorizedError('Bearer realm="baton"'), 401],
    [new InvalidTokenError(), 404],
    [new NotFoundError('session', 'ses_x'), 404],
    [new RouteNotFoundError('GET', '/nope'), 404],
    [new MethodNotAllowedError('PUT', '/v1/health', ['GET']), 405],
    [new ConflictError('already finished'), 409],
    [new PayloadTooLargeError(10), 413],
    [new TooDeepError(64), 400],
    [new RequestAbortedError(new Error('aborted')), 400],
    [new HostRefusedError('attacker.example'), 403],
    [new OriginRefusedError('https://attacker.example'), 403],
    [new UnsupportedMediaTypeError('text/plain'), 415],
    [new MalformedRequestError(431, 'too large'), 431],
    [new LeaseLostError('run_1'), 500],
    [new Error('boom'), 500],
  ])('maps %s to %i', (error, status) => {
    expect(statusForError(error)).toBe(status);
  });
});

describe('errorResponse', () => {
  it('writes { error: { code, message } } as JSON', async () => {
    const response = errorResponse(new ConflictError('the run already finished'));
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      error: { code: 'conflict', message: 'the run already finished' },
    });
  });

  it('hides the message of unexpected errors', async () => {
    const response = errorResponse(new Error('password=hunter2 at /srv/secret'));
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
  });

  it('hides the message of a Baton error that is a server fault, such as a store error naming its database', async () => {
    const failure = new PostgresStoreError(
      'db_error',
      'database error on postgres://postgres:***@127.0.0.1:5432/db',
    );
    const response = errorResponse(failure);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
  });

  it('lists the allowed methods on a 405', () => {
    expect(errorResponse(new MethodNotAllowedError('PUT', '/x', ['GET', 'HEAD'])).headers.get('allow')).toBe(
      'GET, HEAD',
    );
  });
});
