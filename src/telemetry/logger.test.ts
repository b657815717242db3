import { describe, expect, it } from 'vitest';
import { BatonError } from '../core/errors.js';
import { createLogger } from './logger.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = createLogger({ ...(level && { level }), write: (line) => lines.push(line), now: () => 0 });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { logger, lines } = capture();
    logger.info('listening', { url: 'http://127.0.0.1:7070' });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"listening","url":"http://127.0.0.1:7070"}\n',
    ]);
  });

  it('drops lines below its level, info by default', () => {
    const quiet = capture();
    quiet.logger.debug('noise');
    quiet.logger.warn('careful');
    expect(quiet.records().map((record) => record.level)).toEqual(['warn']);
    const loud = capture('debug');
    loud.logger.debug('noise');
    expect(loud.records()).toHaveLength(1);
    const errorsOnly = capture('error');
    errorsOnly.logger.warn('careful');
    errorsOnly.logger.error('broken');
    expect(errorsOnly.records().map((record) => record.msg)).toEqual(['broken']);
  });

  it('writes errors as name, code, message and stack', () => {
    const { logger, records } = capture();
    logger.error('internal error', { error: new BatonError('db_error', 'the query failed') });
    expect(records()[0]?.error).toMatchObject({
      name: 'BatonError',
      code: 'db_error',
      message: 'the query failed',
      stack: expect.stringContaining('the query failed'),
    });
  });

  it('never lets a field stand in for the level or the message', () => {
    const { logger, records } = capture();
    logger.info('real', { level: 'error', msg: 'fake', time: 'then' });
    expect(records()[0]).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'real' });
  });
});
