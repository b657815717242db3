import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { BatonError, EnvironmentError, NotFoundError, UserError, ValidationError } from '../core/errors.js';
import { PostgresStoreError } from '../store/postgres/errors.js';
import { EXIT, exitCodeForError, exitCodeForRun } from './exit-codes.js';

describe('exit codes', () => {
  it('maps errors by who must act, subclasses like their base', () => {
    class MissingToolchainError extends EnvironmentError {}
    expect(exitCodeForError(new UserError('invalid_agent', 'x'))).toBe(EXIT.usage);
    expect(exitCodeForError(new ValidationError('x'))).toBe(EXIT.usage);
    expect(exitCodeForError(new NotFoundError('run', 'run_x'))).toBe(EXIT.usage);
    expect(exitCodeForError(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(EXIT.usage);
    expect(exitCodeForError(new CommanderError(0, 'commander.version', 'x'))).toBe(EXIT.success);
    expect(exitCodeForError(new MissingToolchainError('git_missing', 'x'))).toBe(EXIT.environment);
    expect(exitCodeForError(new BatonError('lease_lost', 'x'))).toBe(EXIT.workFailed);
    expect(exitCodeForError(new Error('boom'))).toBe(EXIT.workFailed);
  });

  it('maps an error class from a second copy of Baton by its name', () => {
    // What a second copy of the modules would hand over: same names, different classes, the brand.
    class EnvironmentErrorCopy extends Error {}
    Object.defineProperty(EnvironmentErrorCopy, 'name', { value: 'EnvironmentError' });
    class Unavailable extends EnvironmentErrorCopy {
      readonly code = 'sandbox_unavailable';
    }
    const error = new Unavailable('x');
    Object.defineProperty(error, Symbol.for('baton.error'), { value: true });
    expect(exitCodeForError(error)).toBe(EXIT.environment);
  });

  it('maps the store and the system failing to the environment', () => {
    expect(exitCodeForError(new UserError('store_open_failed', 'x'))).toBe(EXIT.environment);
    expect(
      exitCodeForError(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' })),
    ).toBe(EXIT.environment);
    expect(exitCodeForError(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(EXIT.environment);
    expect(exitCodeForError(new PostgresStoreError('db_unavailable', 'x'))).toBe(EXIT.environment);
    expect(exitCodeForError(new PostgresStoreError('db_auth_failed', 'x'))).toBe(EXIT.usage);
  });

  it('maps a run as it was left', () => {
    expect(exitCodeForRun('succeeded')).toBe(0);
    expect(exitCodeForRun('failed')).toBe(1);
    expect(exitCodeForRun('cancelled')).toBe(1);
    expect(exitCodeForRun('waiting')).toBe(4);
  });
});
