import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidTokenError,
  LeaseLostError,
  NotFoundError,
  UserError,
  ValidationError,
} from '../core/errors.js';
import { errorResponse, statusForError } from './error-response.js';
import {
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
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

  it('lists the allowed methods on a 405', () => {
    expect(errorResponse(new MethodNotAllowedError('PUT', '/x', ['GET', 'HEAD'])).headers.get('allow')).toBe(
      'GET, HEAD',
    );
  });
});
