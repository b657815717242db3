import { describe, expect, it } from 'vitest';
import { ERROR_CODES, httpStatusOf } from './error-codes.js';
import { ConflictError, NotFoundError, UserError, ValidationError } from './errors.js';

describe('the error table', () => {
  it('names every code in snake case, with a one-line description', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      if (code !== 'http_<status>') expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(entry.description).not.toMatch(/\n/);
      expect(entry.description.length).toBeGreaterThan(10);
    }
  });

  it("gives each error class's codes the status of the class", () => {
    expect(httpStatusOf(new UserError('invalid_model', 'x').code)).toBe(400);
    expect(httpStatusOf(new ValidationError('x').code)).toBe(400);
    expect(httpStatusOf(new NotFoundError('run', 'r').code)).toBe(404);
    expect(httpStatusOf(new ConflictError('x').code)).toBe(409);
    expect(httpStatusOf('repo_not_allowed')).toBe(403);
  });

  it('answers 500 for a code only ever recorded, and for one it does not know', () => {
    expect(httpStatusOf('max_steps')).toBe(500);
    expect(httpStatusOf('no_such_code')).toBe(500);
    expect(httpStatusOf('constructor')).toBe(500);
  });
});
